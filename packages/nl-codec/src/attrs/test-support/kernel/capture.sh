set -e
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] || { echo "in host netns, abort"; exit 1; }
ip link set lo up
ip link add va type veth peer name vb
ip link add br0 type bridge
ip link set va master br0

ip link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 remote 192.0.2.2 ttl 5
ip link add vx6 type vxlan id 43 dstport 4790 local 2001:db8::1 group ff05::1 dev va
ip link add mv0 link vb type macvlan mode bridge
ip link add mvt0 link vb type macvtap mode vepa
ip link add ifb0 type ifb
ip tuntap add tap0 mode tap multi_queue
ip link set va up; ip link set vb up; ip link set br0 up
ip addr add 192.0.2.10/24 dev br0
ip -6 addr add 2001:db8::10/64 dev br0 nodad
ip route add 198.51.100.0/24 nexthop via 192.0.2.1 dev br0 weight 2 nexthop via 192.0.2.2 dev br0
ip -6 route add 2001:db8:1::/64 via 2001:db8::1 dev br0 metric 5
ip nexthop add id 1 via 192.0.2.3 dev br0
ip nexthop add id 2 group 1
ip rule add from 198.51.100.0/24 table 100 pref 1000
ip neigh add 192.0.2.5 lladdr 02:00:00:00:00:05 dev br0
bridge fdb add 02:00:00:00:00:07 dev vx0 dst 192.0.2.9
python3 "$(dirname "$0")/dump.py" "${1:-.}"
echo done
