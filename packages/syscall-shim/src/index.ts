/**
 * `@nlkit/syscall-shim`: the only nlkit code that makes system calls (sockets,
 * sendmsg/recvmsg, ioctl, open, setns) through koffi, with owned close-on-exec descriptors,
 * Node-style errors and event-loop readiness. It knows no protocol.
 *
 * @example
 * import { socket, bind, sendto, recvmsg, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE } from '@nlkit/syscall-shim';
 * using s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
 * bind(s);
 * sendto(s, request);
 * const r = recvmsg(s, new Uint8Array(32768));
 * @packageDocumentation
 */
export * from './constants.js';
export { SyscallError, errnoName, errnoMessage, errnoNumber } from './errors.js';
export { OwnedFd, close, type FdLike } from './fd.js';
export {
  socket, bind, getsockname, setsockopt, getsockopt, getsockoptBytes, sendto, sendmsg, recvmsg, recvfrom,
  sendtoAsync, sendmsgAsync, asyncCallsInFlight,
  type RecvResult, type SendAddress,
} from './socket.js';
export { open, ioctl, fcntl, setNonBlocking, dup, getpid, gettid } from './file.js';
export {
  setns, unshare, inNetns, createNetns, netnsInode, isInitialNetns, initialNetnsInode, THREAD_NETNS_PATH, INIT_NETNS_PATH, type NetnsLike,
} from './netns.js';
export { watchReadable, type ReadableWatcher } from './watch.js';
export { Ifreq, sockaddrNl, parseSockaddrNl, IFREQ_SIZE, SOCKADDR_NL_SIZE, type SockaddrNl } from './structs.js';
