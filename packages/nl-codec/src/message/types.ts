// Netlink message types: the NLMSG_* control types of <linux/netlink.h> and every RTM_* of
// <linux/rtnetlink.h> (generated from the installed uapi header, kernel 6.x).


/** `NLMSG_NOOP` = 1. */
export const NLMSG_NOOP = 1;
/** `NLMSG_ERROR` = 2. */
export const NLMSG_ERROR = 2;
/** `NLMSG_DONE` = 3. */
export const NLMSG_DONE = 3;
/** `NLMSG_OVERRUN` = 4. */
export const NLMSG_OVERRUN = 4;
/** `RTM_NEWLINK` = 16. */
export const RTM_NEWLINK = 16;
/** `RTM_DELLINK` = 17. */
export const RTM_DELLINK = 17;
/** `RTM_GETLINK` = 18. */
export const RTM_GETLINK = 18;
/** `RTM_SETLINK` = 19. */
export const RTM_SETLINK = 19;
/** `RTM_NEWADDR` = 20. */
export const RTM_NEWADDR = 20;
/** `RTM_DELADDR` = 21. */
export const RTM_DELADDR = 21;
/** `RTM_GETADDR` = 22. */
export const RTM_GETADDR = 22;
/** `RTM_NEWROUTE` = 24. */
export const RTM_NEWROUTE = 24;
/** `RTM_DELROUTE` = 25. */
export const RTM_DELROUTE = 25;
/** `RTM_GETROUTE` = 26. */
export const RTM_GETROUTE = 26;
/** `RTM_NEWNEIGH` = 28. */
export const RTM_NEWNEIGH = 28;
/** `RTM_DELNEIGH` = 29. */
export const RTM_DELNEIGH = 29;
/** `RTM_GETNEIGH` = 30. */
export const RTM_GETNEIGH = 30;
/** `RTM_NEWRULE` = 32. */
export const RTM_NEWRULE = 32;
/** `RTM_DELRULE` = 33. */
export const RTM_DELRULE = 33;
/** `RTM_GETRULE` = 34. */
export const RTM_GETRULE = 34;
/** `RTM_NEWQDISC` = 36. */
export const RTM_NEWQDISC = 36;
/** `RTM_DELQDISC` = 37. */
export const RTM_DELQDISC = 37;
/** `RTM_GETQDISC` = 38. */
export const RTM_GETQDISC = 38;
/** `RTM_NEWTCLASS` = 40. */
export const RTM_NEWTCLASS = 40;
/** `RTM_DELTCLASS` = 41. */
export const RTM_DELTCLASS = 41;
/** `RTM_GETTCLASS` = 42. */
export const RTM_GETTCLASS = 42;
/** `RTM_NEWTFILTER` = 44. */
export const RTM_NEWTFILTER = 44;
/** `RTM_DELTFILTER` = 45. */
export const RTM_DELTFILTER = 45;
/** `RTM_GETTFILTER` = 46. */
export const RTM_GETTFILTER = 46;
/** `RTM_NEWACTION` = 48. */
export const RTM_NEWACTION = 48;
/** `RTM_DELACTION` = 49. */
export const RTM_DELACTION = 49;
/** `RTM_GETACTION` = 50. */
export const RTM_GETACTION = 50;
/** `RTM_NEWPREFIX` = 52. */
export const RTM_NEWPREFIX = 52;
/** `RTM_GETMULTICAST` = 58. */
export const RTM_GETMULTICAST = 58;
/** `RTM_GETANYCAST` = 62. */
export const RTM_GETANYCAST = 62;
/** `RTM_NEWNEIGHTBL` = 64. */
export const RTM_NEWNEIGHTBL = 64;
/** `RTM_GETNEIGHTBL` = 66. */
export const RTM_GETNEIGHTBL = 66;
/** `RTM_SETNEIGHTBL` = 67. */
export const RTM_SETNEIGHTBL = 67;
/** `RTM_NEWNDUSEROPT` = 68. */
export const RTM_NEWNDUSEROPT = 68;
/** `RTM_NEWADDRLABEL` = 72. */
export const RTM_NEWADDRLABEL = 72;
/** `RTM_DELADDRLABEL` = 73. */
export const RTM_DELADDRLABEL = 73;
/** `RTM_GETADDRLABEL` = 74. */
export const RTM_GETADDRLABEL = 74;
/** `RTM_GETDCB` = 78. */
export const RTM_GETDCB = 78;
/** `RTM_SETDCB` = 79. */
export const RTM_SETDCB = 79;
/** `RTM_NEWNETCONF` = 80. */
export const RTM_NEWNETCONF = 80;
/** `RTM_DELNETCONF` = 81. */
export const RTM_DELNETCONF = 81;
/** `RTM_GETNETCONF` = 82. */
export const RTM_GETNETCONF = 82;
/** `RTM_NEWMDB` = 84. */
export const RTM_NEWMDB = 84;
/** `RTM_DELMDB` = 85. */
export const RTM_DELMDB = 85;
/** `RTM_GETMDB` = 86. */
export const RTM_GETMDB = 86;
/** `RTM_NEWNSID` = 88. */
export const RTM_NEWNSID = 88;
/** `RTM_DELNSID` = 89. */
export const RTM_DELNSID = 89;
/** `RTM_GETNSID` = 90. */
export const RTM_GETNSID = 90;
/** `RTM_NEWSTATS` = 92. */
export const RTM_NEWSTATS = 92;
/** `RTM_GETSTATS` = 94. */
export const RTM_GETSTATS = 94;
/** `RTM_SETSTATS` = 95. */
export const RTM_SETSTATS = 95;
/** `RTM_NEWCACHEREPORT` = 96. */
export const RTM_NEWCACHEREPORT = 96;
/** `RTM_NEWCHAIN` = 100. */
export const RTM_NEWCHAIN = 100;
/** `RTM_DELCHAIN` = 101. */
export const RTM_DELCHAIN = 101;
/** `RTM_GETCHAIN` = 102. */
export const RTM_GETCHAIN = 102;
/** `RTM_NEWNEXTHOP` = 104. */
export const RTM_NEWNEXTHOP = 104;
/** `RTM_DELNEXTHOP` = 105. */
export const RTM_DELNEXTHOP = 105;
/** `RTM_GETNEXTHOP` = 106. */
export const RTM_GETNEXTHOP = 106;
/** `RTM_NEWLINKPROP` = 108. */
export const RTM_NEWLINKPROP = 108;
/** `RTM_DELLINKPROP` = 109. */
export const RTM_DELLINKPROP = 109;
/** `RTM_GETLINKPROP` = 110. */
export const RTM_GETLINKPROP = 110;
/** `RTM_NEWVLAN` = 112. */
export const RTM_NEWVLAN = 112;
/** `RTM_DELVLAN` = 113. */
export const RTM_DELVLAN = 113;
/** `RTM_GETVLAN` = 114. */
export const RTM_GETVLAN = 114;
/** `RTM_NEWNEXTHOPBUCKET` = 116. */
export const RTM_NEWNEXTHOPBUCKET = 116;
/** `RTM_DELNEXTHOPBUCKET` = 117. */
export const RTM_DELNEXTHOPBUCKET = 117;
/** `RTM_GETNEXTHOPBUCKET` = 118. */
export const RTM_GETNEXTHOPBUCKET = 118;
/** `RTM_NEWTUNNEL` = 120. */
export const RTM_NEWTUNNEL = 120;
/** `RTM_DELTUNNEL` = 121. */
export const RTM_DELTUNNEL = 121;
/** `RTM_GETTUNNEL` = 122. */
export const RTM_GETTUNNEL = 122;

/** Every message type name this codec knows, by number. */
export const MESSAGE_TYPES = Object.freeze({
  NLMSG_NOOP: 1,
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  NLMSG_OVERRUN: 4,
  RTM_NEWLINK: 16,
  RTM_DELLINK: 17,
  RTM_GETLINK: 18,
  RTM_SETLINK: 19,
  RTM_NEWADDR: 20,
  RTM_DELADDR: 21,
  RTM_GETADDR: 22,
  RTM_NEWROUTE: 24,
  RTM_DELROUTE: 25,
  RTM_GETROUTE: 26,
  RTM_NEWNEIGH: 28,
  RTM_DELNEIGH: 29,
  RTM_GETNEIGH: 30,
  RTM_NEWRULE: 32,
  RTM_DELRULE: 33,
  RTM_GETRULE: 34,
  RTM_NEWQDISC: 36,
  RTM_DELQDISC: 37,
  RTM_GETQDISC: 38,
  RTM_NEWTCLASS: 40,
  RTM_DELTCLASS: 41,
  RTM_GETTCLASS: 42,
  RTM_NEWTFILTER: 44,
  RTM_DELTFILTER: 45,
  RTM_GETTFILTER: 46,
  RTM_NEWACTION: 48,
  RTM_DELACTION: 49,
  RTM_GETACTION: 50,
  RTM_NEWPREFIX: 52,
  RTM_GETMULTICAST: 58,
  RTM_GETANYCAST: 62,
  RTM_NEWNEIGHTBL: 64,
  RTM_GETNEIGHTBL: 66,
  RTM_SETNEIGHTBL: 67,
  RTM_NEWNDUSEROPT: 68,
  RTM_NEWADDRLABEL: 72,
  RTM_DELADDRLABEL: 73,
  RTM_GETADDRLABEL: 74,
  RTM_GETDCB: 78,
  RTM_SETDCB: 79,
  RTM_NEWNETCONF: 80,
  RTM_DELNETCONF: 81,
  RTM_GETNETCONF: 82,
  RTM_NEWMDB: 84,
  RTM_DELMDB: 85,
  RTM_GETMDB: 86,
  RTM_NEWNSID: 88,
  RTM_DELNSID: 89,
  RTM_GETNSID: 90,
  RTM_NEWSTATS: 92,
  RTM_GETSTATS: 94,
  RTM_SETSTATS: 95,
  RTM_NEWCACHEREPORT: 96,
  RTM_NEWCHAIN: 100,
  RTM_DELCHAIN: 101,
  RTM_GETCHAIN: 102,
  RTM_NEWNEXTHOP: 104,
  RTM_DELNEXTHOP: 105,
  RTM_GETNEXTHOP: 106,
  RTM_NEWLINKPROP: 108,
  RTM_DELLINKPROP: 109,
  RTM_GETLINKPROP: 110,
  RTM_NEWVLAN: 112,
  RTM_DELVLAN: 113,
  RTM_GETVLAN: 114,
  RTM_NEWNEXTHOPBUCKET: 116,
  RTM_DELNEXTHOPBUCKET: 117,
  RTM_GETNEXTHOPBUCKET: 118,
  RTM_NEWTUNNEL: 120,
  RTM_DELTUNNEL: 121,
  RTM_GETTUNNEL: 122,
} as const);

/** A message type name known to the codec (`'RTM_NEWLINK'`, `'NLMSG_ERROR'`, ...). */
export type MessageTypeName = keyof typeof MESSAGE_TYPES;

const TYPE_NAMES: ReadonlyMap<number, MessageTypeName> = new Map(
  (Object.entries(MESSAGE_TYPES) as Array<[MessageTypeName, number]>).map(([name, value]) => [value, name]),
);

/**
 * The name of a message type number, or the number itself when the codec does not know it.
 *
 * @example
 * messageTypeName(16);  // 'RTM_NEWLINK'
 * messageTypeName(999); // 999
 */
export function messageTypeName(type: number): MessageTypeName | number {
  return TYPE_NAMES.get(type) ?? type;
}

/**
 * The number of a message type given by name or number.
 * Throws a `TypeError` for an unknown name and a `RangeError` for a number outside u16.
 *
 * @example
 * messageTypeNumber('RTM_GETLINK'); // 18
 * messageTypeNumber(18);            // 18
 */
export function messageTypeNumber(type: string | number): number {
  if (typeof type === 'number') {
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
      throw new RangeError(`header.type ${type} is not a u16 message type`);
    }
    return type;
  }
  const value = (MESSAGE_TYPES as Record<string, number | undefined>)[type];
  if (value === undefined || !Object.hasOwn(MESSAGE_TYPES, type)) {
    throw new TypeError(`header.type '${String(type)}' is not a known message type name`);
  }
  return value;
}

/**
 * What a message type does, which decides the meaning of the high flag bits: the kernel's own
 * rule (`rtnetlink_rcv_msg`: `kind = (type - RTM_BASE) & 3`) for types from RTM_BASE up, and
 * `'control'` for the NLMSG_* types below it.
 */
export type MessageKind = 'new' | 'del' | 'get' | 'set' | 'control';

/**
 * The kind of a message type (`'new'`, `'del'`, `'get'`, `'set'` or `'control'`).
 *
 * @example
 * messageKind(18); // 'get' (RTM_GETLINK)
 * messageKind(2);  // 'control' (NLMSG_ERROR)
 */
export function messageKind(type: number): MessageKind {
  if (type < RTM_NEWLINK) return 'control';
  switch ((type - RTM_NEWLINK) & 3) {
    case 0:
      return 'new';
    case 1:
      return 'del';
    case 2:
      return 'get';
    default:
      return 'set';
  }
}
