/*
 * Reference for bench/shim.mjs: the same RTM_GETLINK round trip for lo (ifindex 1) in C,
 * measured the same way (BATCHES batches of PER_BATCH round trips, ns per call of each batch
 * printed; bench/shim.mjs takes the medians), with the same system calls the shim makes (sendto or a two-iovec sendmsg,
 * then recvmsg with the sender address and MSG_TRUNC), plus the plainest send/recv pair.
 * Also times getpid(). Prints one JSON object of per-batch series.
 *
 * Usage: getlink_rtt BATCHES PER_BATCH
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Prints `, "name": [v0, v1, ...]` (ns per call of each batch). */
static void print_series(const char *name, const double *v, int n) {
  printf(", \"%s\": [", name);
  for (int i = 0; i < n; i++) printf(i ? ", %.1f" : "%.1f", v[i]);
  printf("]");
}

int main(int argc, char **argv) {
  int batches = argc > 1 ? atoi(argv[1]) : 50;
  int per = argc > 2 ? atoi(argv[2]) : 2000;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) { perror("socket"); return 1; }
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }

  struct { struct nlmsghdr h; struct ifinfomsg i; } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.i.ifi_index = 1;
  static char buf[65536];

  struct stat st;
  stat("/proc/thread-self/ns/net", &st);

  /* recvmsg as the shim does it: sender address, one iovec, MSG_TRUNC. */
  struct sockaddr_nl from;
  struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
  struct msghdr rmsg = { .msg_name = &from, .msg_iov = &riov, .msg_iovlen = 1 };
  /* sendmsg with the request split in two iovecs (header, body). */
  struct iovec siov[2] = { { &req.h, sizeof req.h }, { &req.i, sizeof req.i } };
  struct msghdr smsg = { .msg_iov = siov, .msg_iovlen = 2 };

  double *rtt = calloc(batches, sizeof *rtt);
  double *rtt_msg = calloc(batches, sizeof *rtt_msg);
  double *rtt_iov = calloc(batches, sizeof *rtt_iov);
  double *pid = calloc(batches, sizeof *pid);
  volatile long sink = 0;
  for (int warm = 0; warm < per; warm++) {
    req.h.nlmsg_seq++;
    send(fd, &req, sizeof req, 0);
    recv(fd, buf, sizeof buf, MSG_TRUNC);
  }
  for (int b = 0; b < batches; b++) {
    uint64_t t0 = now_ns();
    for (int i = 0; i < per; i++) {
      req.h.nlmsg_seq++;
      if (send(fd, &req, sizeof req, 0) < 0) { perror("send"); return 1; }
      ssize_t n = recv(fd, buf, sizeof buf, MSG_TRUNC);
      if (n <= 0) { perror("recv"); return 1; }
    }
    rtt[b] = (double)(now_ns() - t0) / per;
    t0 = now_ns();
    for (int i = 0; i < per; i++) {
      req.h.nlmsg_seq++;
      if (sendto(fd, &req, sizeof req, 0, NULL, 0) < 0) { perror("sendto"); return 1; }
      rmsg.msg_namelen = sizeof from;
      if (recvmsg(fd, &rmsg, MSG_TRUNC) <= 0) { perror("recvmsg"); return 1; }
    }
    rtt_msg[b] = (double)(now_ns() - t0) / per;
    t0 = now_ns();
    for (int i = 0; i < per; i++) {
      req.h.nlmsg_seq++;
      if (sendmsg(fd, &smsg, 0) < 0) { perror("sendmsg"); return 1; }
      rmsg.msg_namelen = sizeof from;
      if (recvmsg(fd, &rmsg, MSG_TRUNC) <= 0) { perror("recvmsg"); return 1; }
    }
    rtt_iov[b] = (double)(now_ns() - t0) / per;
    t0 = now_ns();
    for (int i = 0; i < per * 10; i++) sink += syscall(SYS_getpid);
    pid[b] = (double)(now_ns() - t0) / (per * 10);
  }
  printf("{\"netnsInode\": \"%llu\"", (unsigned long long)st.st_ino);
  print_series("sendRecv", rtt, batches);
  print_series("sendtoRecvmsg", rtt_msg, batches);
  print_series("sendmsgRecvmsg", rtt_iov, batches);
  print_series("getpid", pid, batches);
  printf("}\n");
  return 0;
}
