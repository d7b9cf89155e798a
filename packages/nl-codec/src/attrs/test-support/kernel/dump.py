import socket, struct, sys
def dump(mtype, body, out):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    s.send(struct.pack("=IHHII", 16 + len(body), mtype, 0x301, 1, 0) + body)
    data = b''
    while True:
        d = s.recv(1 << 20); data += d
        off = 0; done = False
        while off + 16 <= len(d):
            l, t = struct.unpack_from("=IH", d, off)
            if t in (2, 3): done = True
            off += (l + 3) & ~3
        if done: break
    open(out, 'wb').write(data)
ifi = lambda fam: struct.pack("=BxHiII", fam, 0, 0, 0, 0)
dump(18, ifi(0) + struct.pack("=HHI", 8, 29, 1), sys.argv[1] + '/link.bin')
dump(18, ifi(7) + struct.pack("=HHI", 8, 29, 2), sys.argv[1] + '/brlink.bin')
dump(18, ifi(10), sys.argv[1] + '/link6.bin')
dump(22, struct.pack("=BBBBI", 0, 0, 0, 0, 0), sys.argv[1] + '/addr.bin')
dump(26, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0), sys.argv[1] + '/route.bin')
dump(30, struct.pack("=BxxxiHBB", 0, 0, 0, 0, 0), sys.argv[1] + '/neigh.bin')
dump(66, struct.pack("=Bxxx", 0), sys.argv[1] + '/neightbl.bin')
dump(94, struct.pack("=BxHiI", 0, 0, 0, 0x1f), sys.argv[1] + '/stats.bin')
dump(34, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0), sys.argv[1] + '/rule.bin')
dump(106, struct.pack("=BBBBI", 0, 0, 0, 0, 0), sys.argv[1] + '/nexthop.bin')
dump(82, struct.pack("=Bxxx", 0), sys.argv[1] + '/netconf.bin')
