/**
 * Kernel ABI numbers the callers need: address families, socket types and options, message
 * flags, open/fcntl flags, namespace clone flags, and the tun/tap ioctls. No protocol logic:
 * netlink message types and attributes live in `@nlkit/nl-codec`.
 *
 * Values are Linux's on the LP64 architectures this package supports (x86-64, arm64);
 * the test suite checks them against the C headers.
 */
import { constants as fsConstants } from 'node:fs';

// Address families
/** `AF_UNSPEC` */ export const AF_UNSPEC = 0;
/** `AF_UNIX` */ export const AF_UNIX = 1;
/** `AF_INET` */ export const AF_INET = 2;
/** `AF_INET6` */ export const AF_INET6 = 10;
/** `AF_NETLINK` */ export const AF_NETLINK = 16;
/** `AF_PACKET` */ export const AF_PACKET = 17;

// Socket types and type flags
/** `SOCK_STREAM` */ export const SOCK_STREAM = 1;
/** `SOCK_DGRAM` */ export const SOCK_DGRAM = 2;
/** `SOCK_RAW` */ export const SOCK_RAW = 3;
/** `SOCK_SEQPACKET` */ export const SOCK_SEQPACKET = 5;
/** `SOCK_NONBLOCK`: OR into the socket type. */ export const SOCK_NONBLOCK = 0x800;
/** `SOCK_CLOEXEC`: always added by {@link socket}. */ export const SOCK_CLOEXEC = 0x80000;

// Netlink protocols
/** `NETLINK_ROUTE` (rtnetlink) */ export const NETLINK_ROUTE = 0;
/** `NETLINK_SOCK_DIAG` */ export const NETLINK_SOCK_DIAG = 4;
/** `NETLINK_NETFILTER` */ export const NETLINK_NETFILTER = 12;
/** `NETLINK_KOBJECT_UEVENT` */ export const NETLINK_KOBJECT_UEVENT = 15;
/** `NETLINK_GENERIC` */ export const NETLINK_GENERIC = 16;

// Socket option levels
/** `SOL_SOCKET` */ export const SOL_SOCKET = 1;
/** `SOL_NETLINK` */ export const SOL_NETLINK = 270;

// SOL_NETLINK options
/** Join a multicast group (int group number). */ export const NETLINK_ADD_MEMBERSHIP = 1;
/** Leave a multicast group. */ export const NETLINK_DROP_MEMBERSHIP = 2;
/** `NETLINK_PKTINFO` */ export const NETLINK_PKTINFO = 3;
/** `NETLINK_BROADCAST_ERROR` */ export const NETLINK_BROADCAST_ERROR = 4;
/** Do not report receive-buffer overruns as `ENOBUFS`. */ export const NETLINK_NO_ENOBUFS = 5;
/** Receive events from all namespaces with an id in this one. */ export const NETLINK_LISTEN_ALL_NSID = 8;
/** `NETLINK_LIST_MEMBERSHIPS` */ export const NETLINK_LIST_MEMBERSHIPS = 9;
/** Do not echo the request in error messages (`capped`). */ export const NETLINK_CAP_ACK = 10;
/** Extended ACK: error messages and attribute offsets. */ export const NETLINK_EXT_ACK = 11;
/** Strict checking of GET requests (dump filters honoured, bad headers rejected). */ export const NETLINK_GET_STRICT_CHK = 12;

// SOL_SOCKET options
/** `SO_REUSEADDR` */ export const SO_REUSEADDR = 2;
/** `SO_TYPE` */ export const SO_TYPE = 3;
/** `SO_ERROR` */ export const SO_ERROR = 4;
/** `SO_SNDBUF` */ export const SO_SNDBUF = 7;
/** `SO_RCVBUF` */ export const SO_RCVBUF = 8;
/** `SO_PASSCRED` */ export const SO_PASSCRED = 16;
/** `SO_RCVTIMEO` (struct timeval: pass bytes) */ export const SO_RCVTIMEO = 20;
/** `SO_SNDTIMEO` (struct timeval: pass bytes) */ export const SO_SNDTIMEO = 21;
/** `SO_SNDBUFFORCE` (needs CAP_NET_ADMIN; ignores `wmem_max`) */ export const SO_SNDBUFFORCE = 32;
/** `SO_RCVBUFFORCE` (needs CAP_NET_ADMIN; ignores `rmem_max`) */ export const SO_RCVBUFFORCE = 33;
/** `SO_PROTOCOL` */ export const SO_PROTOCOL = 38;
/** `SO_DOMAIN` */ export const SO_DOMAIN = 39;

// send/recv flags
/** `MSG_OOB` */ export const MSG_OOB = 0x1;
/** Look at the next datagram without removing it. */ export const MSG_PEEK = 0x2;
/** `MSG_CTRUNC` (output) */ export const MSG_CTRUNC = 0x8;
/** Input: report the datagram's real size. Output: the datagram did not fit. */ export const MSG_TRUNC = 0x20;
/** Do not block: {@link recvmsg} returns `null` when nothing is queued. */ export const MSG_DONTWAIT = 0x40;
/** `MSG_EOR` */ export const MSG_EOR = 0x80;
/** `MSG_WAITALL` */ export const MSG_WAITALL = 0x100;
/** `MSG_ERRQUEUE` */ export const MSG_ERRQUEUE = 0x2000;
/** `MSG_NOSIGNAL` */ export const MSG_NOSIGNAL = 0x4000;
/** `MSG_CMSG_CLOEXEC` */ export const MSG_CMSG_CLOEXEC = 0x40000000;

// open(2) flags. The ones that differ between architectures come from Node's own table.
/** `O_RDONLY` */ export const O_RDONLY = 0;
/** `O_WRONLY` */ export const O_WRONLY = 1;
/** `O_RDWR` */ export const O_RDWR = 2;
/** `O_CREAT` */ export const O_CREAT = 0x40;
/** `O_EXCL` */ export const O_EXCL = 0x80;
/** `O_NOCTTY` */ export const O_NOCTTY = 0x100;
/** `O_TRUNC` */ export const O_TRUNC = 0x200;
/** `O_APPEND` */ export const O_APPEND = 0x400;
/** `O_NONBLOCK` */ export const O_NONBLOCK = 0x800;
/** `O_DIRECTORY` (0x10000 on x86-64, 0x4000 on arm64) */ export const O_DIRECTORY: number = fsConstants.O_DIRECTORY ?? 0x10000;
/** `O_NOFOLLOW` (0x20000 on x86-64, 0x8000 on arm64) */ export const O_NOFOLLOW: number = fsConstants.O_NOFOLLOW ?? 0x20000;
/** `O_CLOEXEC`: always added by {@link open}. */ export const O_CLOEXEC = 0x80000;
/** `O_PATH` */ export const O_PATH = 0x200000;

// fcntl(2)
/** `F_DUPFD` */ export const F_DUPFD = 0;
/** `F_GETFD` */ export const F_GETFD = 1;
/** `F_SETFD` */ export const F_SETFD = 2;
/** `F_GETFL` */ export const F_GETFL = 3;
/** `F_SETFL` */ export const F_SETFL = 4;
/** `F_DUPFD_CLOEXEC` */ export const F_DUPFD_CLOEXEC = 1030;
/** `FD_CLOEXEC` (F_GETFD/F_SETFD flag) */ export const FD_CLOEXEC = 1;

// Namespaces (clone/unshare/setns flags)
/** `CLONE_NEWTIME` */ export const CLONE_NEWTIME = 0x80;
/** `CLONE_NEWNS` (mount) */ export const CLONE_NEWNS = 0x20000;
/** `CLONE_NEWCGROUP` */ export const CLONE_NEWCGROUP = 0x02000000;
/** `CLONE_NEWUTS` */ export const CLONE_NEWUTS = 0x04000000;
/** `CLONE_NEWIPC` */ export const CLONE_NEWIPC = 0x08000000;
/** `CLONE_NEWUSER` */ export const CLONE_NEWUSER = 0x10000000;
/** `CLONE_NEWPID` */ export const CLONE_NEWPID = 0x20000000;
/** `CLONE_NEWNET` (network) */ export const CLONE_NEWNET = 0x40000000;

// Interface names
/** `IFNAMSIZ`: an interface name has at most 15 bytes plus its NUL. */ export const IFNAMSIZ = 16;

// tun/tap ioctls (linux/if_tun.h), encoded with _IOW/_IOR('T', n, ...)
/** `TUNSETNOCSUM` */ export const TUNSETNOCSUM = 0x400454c8;
/** `TUNSETDEBUG` */ export const TUNSETDEBUG = 0x400454c9;
/** Create or attach to a tun/tap device (`struct ifreq`: name + `ifr_flags`). */ export const TUNSETIFF = 0x400454ca;
/** Keep the device after the last fd closes (int argument, by value). */ export const TUNSETPERSIST = 0x400454cb;
/** Owner uid (by value). */ export const TUNSETOWNER = 0x400454cc;
/** `TUNSETLINK` (link type, by value) */ export const TUNSETLINK = 0x400454cd;
/** Owner gid (by value). */ export const TUNSETGROUP = 0x400454ce;
/** `TUNGETFEATURES` (pointer to unsigned int) */ export const TUNGETFEATURES = 0x800454cf;
/** `TUNSETOFFLOAD` (by value) */ export const TUNSETOFFLOAD = 0x400454d0;
/** `TUNSETTXFILTER` */ export const TUNSETTXFILTER = 0x400454d1;
/** Read back the device name and flags (`struct ifreq`). */ export const TUNGETIFF = 0x800454d2;
/** `TUNGETSNDBUF` (pointer to int) */ export const TUNGETSNDBUF = 0x800454d3;
/** `TUNSETSNDBUF` (pointer to int) */ export const TUNSETSNDBUF = 0x400454d4;
/** `TUNATTACHFILTER` (struct sock_fprog) */ export const TUNATTACHFILTER = 0x401054d5;
/** `TUNDETACHFILTER` */ export const TUNDETACHFILTER = 0x401054d6;
/** `TUNGETVNETHDRSZ` (pointer to int) */ export const TUNGETVNETHDRSZ = 0x800454d7;
/** Size of the virtio-net header (pointer to int). */ export const TUNSETVNETHDRSZ = 0x400454d8;
/** Attach/detach this queue fd (`struct ifreq` with IFF_ATTACH_QUEUE/IFF_DETACH_QUEUE). */ export const TUNSETQUEUE = 0x400454d9;
/** `TUNSETIFINDEX` (pointer to unsigned int) */ export const TUNSETIFINDEX = 0x400454da;
/** `TUNGETFILTER` */ export const TUNGETFILTER = 0x801054db;
/** `TUNSETVNETLE` */ export const TUNSETVNETLE = 0x400454dc;
/** `TUNGETVNETLE` */ export const TUNGETVNETLE = 0x800454dd;
/** `TUNSETVNETBE` */ export const TUNSETVNETBE = 0x400454de;
/** `TUNGETVNETBE` */ export const TUNGETVNETBE = 0x800454df;
/** `TUNSETSTEERINGEBPF` */ export const TUNSETSTEERINGEBPF = 0x800454e0;
/** `TUNSETFILTEREBPF` */ export const TUNSETFILTEREBPF = 0x800454e1;
/** `TUNSETCARRIER` (pointer to int) */ export const TUNSETCARRIER = 0x400454e2;
/** `TUNGETDEVNETNS` (returns a new namespace fd) */ export const TUNGETDEVNETNS = 0x54e3;

// tun/tap ifr_flags
/** tun device (layer 3) */ export const IFF_TUN = 0x0001;
/** tap device (layer 2) */ export const IFF_TAP = 0x0002;
/** `IFF_NAPI` */ export const IFF_NAPI = 0x0010;
/** `IFF_NAPI_FRAGS` */ export const IFF_NAPI_FRAGS = 0x0020;
/** `IFF_NO_CARRIER` */ export const IFF_NO_CARRIER = 0x0040;
/** One fd per queue. */ export const IFF_MULTI_QUEUE = 0x0100;
/** TUNSETQUEUE: attach this fd as a queue. */ export const IFF_ATTACH_QUEUE = 0x0200;
/** TUNSETQUEUE: detach this fd's queue. */ export const IFF_DETACH_QUEUE = 0x0400;
/** Read-only in TUNGETIFF: the device is persistent. */ export const IFF_PERSIST = 0x0800;
/** No packet-information header before each frame. */ export const IFF_NO_PI = 0x1000;
/** Obsolete, ignored by the kernel. */ export const IFF_ONE_QUEUE = 0x2000;
/** Frames carry a virtio-net header. */ export const IFF_VNET_HDR = 0x4000;
/** Fail with EBUSY if the device exists. */ export const IFF_TUN_EXCL = 0x8000;

// Socket ioctls on struct ifreq (linux/sockios.h)
/** `SIOCGIFNAME` (index -> name) */ export const SIOCGIFNAME = 0x8910;
/** `SIOCGIFFLAGS` */ export const SIOCGIFFLAGS = 0x8913;
/** `SIOCSIFFLAGS` */ export const SIOCSIFFLAGS = 0x8914;
/** `SIOCGIFMTU` */ export const SIOCGIFMTU = 0x8921;
/** `SIOCSIFMTU` */ export const SIOCSIFMTU = 0x8922;
/** `SIOCSIFNAME` */ export const SIOCSIFNAME = 0x8923;
/** `SIOCSIFHWADDR` */ export const SIOCSIFHWADDR = 0x8924;
/** `SIOCGIFHWADDR` */ export const SIOCGIFHWADDR = 0x8927;
/** `SIOCGIFINDEX` (name -> index) */ export const SIOCGIFINDEX = 0x8933;
/** `SIOCGIFTXQLEN` */ export const SIOCGIFTXQLEN = 0x8942;
/** `SIOCSIFTXQLEN` */ export const SIOCSIFTXQLEN = 0x8943;
/** `SIOCBRADDBR` */ export const SIOCBRADDBR = 0x89a0;
/** `SIOCBRDELBR` */ export const SIOCBRDELBR = 0x89a1;
/** `FIONREAD` (bytes queued) */ export const FIONREAD = 0x541b;
/** `FIONBIO` */ export const FIONBIO = 0x5421;

/**
 * Names of the ioctl requests above, by number: used only to name the request in error
 * messages (`EBUSY: resource busy or locked, ioctl TUNSETIFF`).
 * @internal
 */
export const IOCTL_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [TUNSETNOCSUM, 'TUNSETNOCSUM'], [TUNSETDEBUG, 'TUNSETDEBUG'], [TUNSETIFF, 'TUNSETIFF'],
  [TUNSETPERSIST, 'TUNSETPERSIST'], [TUNSETOWNER, 'TUNSETOWNER'], [TUNSETLINK, 'TUNSETLINK'],
  [TUNSETGROUP, 'TUNSETGROUP'], [TUNGETFEATURES, 'TUNGETFEATURES'], [TUNSETOFFLOAD, 'TUNSETOFFLOAD'],
  [TUNSETTXFILTER, 'TUNSETTXFILTER'], [TUNGETIFF, 'TUNGETIFF'], [TUNGETSNDBUF, 'TUNGETSNDBUF'],
  [TUNSETSNDBUF, 'TUNSETSNDBUF'], [TUNATTACHFILTER, 'TUNATTACHFILTER'], [TUNDETACHFILTER, 'TUNDETACHFILTER'],
  [TUNGETVNETHDRSZ, 'TUNGETVNETHDRSZ'], [TUNSETVNETHDRSZ, 'TUNSETVNETHDRSZ'], [TUNSETQUEUE, 'TUNSETQUEUE'],
  [TUNSETIFINDEX, 'TUNSETIFINDEX'], [TUNGETFILTER, 'TUNGETFILTER'], [TUNSETVNETLE, 'TUNSETVNETLE'],
  [TUNGETVNETLE, 'TUNGETVNETLE'], [TUNSETVNETBE, 'TUNSETVNETBE'], [TUNGETVNETBE, 'TUNGETVNETBE'],
  [TUNSETSTEERINGEBPF, 'TUNSETSTEERINGEBPF'], [TUNSETFILTEREBPF, 'TUNSETFILTEREBPF'],
  [TUNSETCARRIER, 'TUNSETCARRIER'], [TUNGETDEVNETNS, 'TUNGETDEVNETNS'],
  [SIOCGIFNAME, 'SIOCGIFNAME'], [SIOCGIFFLAGS, 'SIOCGIFFLAGS'], [SIOCSIFFLAGS, 'SIOCSIFFLAGS'],
  [SIOCGIFMTU, 'SIOCGIFMTU'], [SIOCSIFMTU, 'SIOCSIFMTU'], [SIOCSIFNAME, 'SIOCSIFNAME'],
  [SIOCSIFHWADDR, 'SIOCSIFHWADDR'], [SIOCGIFHWADDR, 'SIOCGIFHWADDR'], [SIOCGIFINDEX, 'SIOCGIFINDEX'],
  [SIOCGIFTXQLEN, 'SIOCGIFTXQLEN'], [SIOCSIFTXQLEN, 'SIOCSIFTXQLEN'], [SIOCBRADDBR, 'SIOCBRADDBR'],
  [SIOCBRDELBR, 'SIOCBRDELBR'], [FIONREAD, 'FIONREAD'], [FIONBIO, 'FIONBIO'],
]);
