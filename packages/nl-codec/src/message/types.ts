// Netlink message types: the NLMSG_* control types of <linux/netlink.h> and every RTM_* of
// <linux/rtnetlink.h> (generated from the installed uapi header, kernel 6.x).


/**
 * `NLMSG_NOOP` = 1.
 *
 * @example
 * messageTypeName(NLMSG_NOOP); // 'NLMSG_NOOP'
 */
export const NLMSG_NOOP = 1;
/**
 * `NLMSG_ERROR` = 2.
 *
 * @example
 * messageTypeName(NLMSG_ERROR); // 'NLMSG_ERROR'
 */
export const NLMSG_ERROR = 2;
/**
 * `NLMSG_DONE` = 3.
 *
 * @example
 * messageTypeName(NLMSG_DONE); // 'NLMSG_DONE'
 */
export const NLMSG_DONE = 3;
/**
 * `NLMSG_OVERRUN` = 4.
 *
 * @example
 * messageTypeName(NLMSG_OVERRUN); // 'NLMSG_OVERRUN'
 */
export const NLMSG_OVERRUN = 4;
/**
 * `RTM_NEWLINK` = 16.
 *
 * @example
 * messageTypeName(RTM_NEWLINK); // 'RTM_NEWLINK'
 */
export const RTM_NEWLINK = 16;
/**
 * `RTM_DELLINK` = 17.
 *
 * @example
 * messageTypeName(RTM_DELLINK); // 'RTM_DELLINK'
 */
export const RTM_DELLINK = 17;
/**
 * `RTM_GETLINK` = 18.
 *
 * @example
 * messageTypeName(RTM_GETLINK); // 'RTM_GETLINK'
 */
export const RTM_GETLINK = 18;
/**
 * `RTM_SETLINK` = 19.
 *
 * @example
 * messageTypeName(RTM_SETLINK); // 'RTM_SETLINK'
 */
export const RTM_SETLINK = 19;
/**
 * `RTM_NEWADDR` = 20.
 *
 * @example
 * messageTypeName(RTM_NEWADDR); // 'RTM_NEWADDR'
 */
export const RTM_NEWADDR = 20;
/**
 * `RTM_DELADDR` = 21.
 *
 * @example
 * messageTypeName(RTM_DELADDR); // 'RTM_DELADDR'
 */
export const RTM_DELADDR = 21;
/**
 * `RTM_GETADDR` = 22.
 *
 * @example
 * messageTypeName(RTM_GETADDR); // 'RTM_GETADDR'
 */
export const RTM_GETADDR = 22;
/**
 * `RTM_NEWROUTE` = 24.
 *
 * @example
 * messageTypeName(RTM_NEWROUTE); // 'RTM_NEWROUTE'
 */
export const RTM_NEWROUTE = 24;
/**
 * `RTM_DELROUTE` = 25.
 *
 * @example
 * messageTypeName(RTM_DELROUTE); // 'RTM_DELROUTE'
 */
export const RTM_DELROUTE = 25;
/**
 * `RTM_GETROUTE` = 26.
 *
 * @example
 * messageTypeName(RTM_GETROUTE); // 'RTM_GETROUTE'
 */
export const RTM_GETROUTE = 26;
/**
 * `RTM_NEWNEIGH` = 28.
 *
 * @example
 * messageTypeName(RTM_NEWNEIGH); // 'RTM_NEWNEIGH'
 */
export const RTM_NEWNEIGH = 28;
/**
 * `RTM_DELNEIGH` = 29.
 *
 * @example
 * messageTypeName(RTM_DELNEIGH); // 'RTM_DELNEIGH'
 */
export const RTM_DELNEIGH = 29;
/**
 * `RTM_GETNEIGH` = 30.
 *
 * @example
 * messageTypeName(RTM_GETNEIGH); // 'RTM_GETNEIGH'
 */
export const RTM_GETNEIGH = 30;
/**
 * `RTM_NEWRULE` = 32.
 *
 * @example
 * messageTypeName(RTM_NEWRULE); // 'RTM_NEWRULE'
 */
export const RTM_NEWRULE = 32;
/**
 * `RTM_DELRULE` = 33.
 *
 * @example
 * messageTypeName(RTM_DELRULE); // 'RTM_DELRULE'
 */
export const RTM_DELRULE = 33;
/**
 * `RTM_GETRULE` = 34.
 *
 * @example
 * messageTypeName(RTM_GETRULE); // 'RTM_GETRULE'
 */
export const RTM_GETRULE = 34;
/**
 * `RTM_NEWQDISC` = 36.
 *
 * @example
 * messageTypeName(RTM_NEWQDISC); // 'RTM_NEWQDISC'
 */
export const RTM_NEWQDISC = 36;
/**
 * `RTM_DELQDISC` = 37.
 *
 * @example
 * messageTypeName(RTM_DELQDISC); // 'RTM_DELQDISC'
 */
export const RTM_DELQDISC = 37;
/**
 * `RTM_GETQDISC` = 38.
 *
 * @example
 * messageTypeName(RTM_GETQDISC); // 'RTM_GETQDISC'
 */
export const RTM_GETQDISC = 38;
/**
 * `RTM_NEWTCLASS` = 40.
 *
 * @example
 * messageTypeName(RTM_NEWTCLASS); // 'RTM_NEWTCLASS'
 */
export const RTM_NEWTCLASS = 40;
/**
 * `RTM_DELTCLASS` = 41.
 *
 * @example
 * messageTypeName(RTM_DELTCLASS); // 'RTM_DELTCLASS'
 */
export const RTM_DELTCLASS = 41;
/**
 * `RTM_GETTCLASS` = 42.
 *
 * @example
 * messageTypeName(RTM_GETTCLASS); // 'RTM_GETTCLASS'
 */
export const RTM_GETTCLASS = 42;
/**
 * `RTM_NEWTFILTER` = 44.
 *
 * @example
 * messageTypeName(RTM_NEWTFILTER); // 'RTM_NEWTFILTER'
 */
export const RTM_NEWTFILTER = 44;
/**
 * `RTM_DELTFILTER` = 45.
 *
 * @example
 * messageTypeName(RTM_DELTFILTER); // 'RTM_DELTFILTER'
 */
export const RTM_DELTFILTER = 45;
/**
 * `RTM_GETTFILTER` = 46.
 *
 * @example
 * messageTypeName(RTM_GETTFILTER); // 'RTM_GETTFILTER'
 */
export const RTM_GETTFILTER = 46;
/**
 * `RTM_NEWACTION` = 48.
 *
 * @example
 * messageTypeName(RTM_NEWACTION); // 'RTM_NEWACTION'
 */
export const RTM_NEWACTION = 48;
/**
 * `RTM_DELACTION` = 49.
 *
 * @example
 * messageTypeName(RTM_DELACTION); // 'RTM_DELACTION'
 */
export const RTM_DELACTION = 49;
/**
 * `RTM_GETACTION` = 50.
 *
 * @example
 * messageTypeName(RTM_GETACTION); // 'RTM_GETACTION'
 */
export const RTM_GETACTION = 50;
/**
 * `RTM_NEWPREFIX` = 52.
 *
 * @example
 * messageTypeName(RTM_NEWPREFIX); // 'RTM_NEWPREFIX'
 */
export const RTM_NEWPREFIX = 52;
/**
 * `RTM_GETMULTICAST` = 58.
 *
 * @example
 * messageTypeName(RTM_GETMULTICAST); // 'RTM_GETMULTICAST'
 */
export const RTM_GETMULTICAST = 58;
/**
 * `RTM_GETANYCAST` = 62.
 *
 * @example
 * messageTypeName(RTM_GETANYCAST); // 'RTM_GETANYCAST'
 */
export const RTM_GETANYCAST = 62;
/**
 * `RTM_NEWNEIGHTBL` = 64.
 *
 * @example
 * messageTypeName(RTM_NEWNEIGHTBL); // 'RTM_NEWNEIGHTBL'
 */
export const RTM_NEWNEIGHTBL = 64;
/**
 * `RTM_GETNEIGHTBL` = 66.
 *
 * @example
 * messageTypeName(RTM_GETNEIGHTBL); // 'RTM_GETNEIGHTBL'
 */
export const RTM_GETNEIGHTBL = 66;
/**
 * `RTM_SETNEIGHTBL` = 67.
 *
 * @example
 * messageTypeName(RTM_SETNEIGHTBL); // 'RTM_SETNEIGHTBL'
 */
export const RTM_SETNEIGHTBL = 67;
/**
 * `RTM_NEWNDUSEROPT` = 68.
 *
 * @example
 * messageTypeName(RTM_NEWNDUSEROPT); // 'RTM_NEWNDUSEROPT'
 */
export const RTM_NEWNDUSEROPT = 68;
/**
 * `RTM_NEWADDRLABEL` = 72.
 *
 * @example
 * messageTypeName(RTM_NEWADDRLABEL); // 'RTM_NEWADDRLABEL'
 */
export const RTM_NEWADDRLABEL = 72;
/**
 * `RTM_DELADDRLABEL` = 73.
 *
 * @example
 * messageTypeName(RTM_DELADDRLABEL); // 'RTM_DELADDRLABEL'
 */
export const RTM_DELADDRLABEL = 73;
/**
 * `RTM_GETADDRLABEL` = 74.
 *
 * @example
 * messageTypeName(RTM_GETADDRLABEL); // 'RTM_GETADDRLABEL'
 */
export const RTM_GETADDRLABEL = 74;
/**
 * `RTM_GETDCB` = 78.
 *
 * @example
 * messageTypeName(RTM_GETDCB); // 'RTM_GETDCB'
 */
export const RTM_GETDCB = 78;
/**
 * `RTM_SETDCB` = 79.
 *
 * @example
 * messageTypeName(RTM_SETDCB); // 'RTM_SETDCB'
 */
export const RTM_SETDCB = 79;
/**
 * `RTM_NEWNETCONF` = 80.
 *
 * @example
 * messageTypeName(RTM_NEWNETCONF); // 'RTM_NEWNETCONF'
 */
export const RTM_NEWNETCONF = 80;
/**
 * `RTM_DELNETCONF` = 81.
 *
 * @example
 * messageTypeName(RTM_DELNETCONF); // 'RTM_DELNETCONF'
 */
export const RTM_DELNETCONF = 81;
/**
 * `RTM_GETNETCONF` = 82.
 *
 * @example
 * messageTypeName(RTM_GETNETCONF); // 'RTM_GETNETCONF'
 */
export const RTM_GETNETCONF = 82;
/**
 * `RTM_NEWMDB` = 84.
 *
 * @example
 * messageTypeName(RTM_NEWMDB); // 'RTM_NEWMDB'
 */
export const RTM_NEWMDB = 84;
/**
 * `RTM_DELMDB` = 85.
 *
 * @example
 * messageTypeName(RTM_DELMDB); // 'RTM_DELMDB'
 */
export const RTM_DELMDB = 85;
/**
 * `RTM_GETMDB` = 86.
 *
 * @example
 * messageTypeName(RTM_GETMDB); // 'RTM_GETMDB'
 */
export const RTM_GETMDB = 86;
/**
 * `RTM_NEWNSID` = 88.
 *
 * @example
 * messageTypeName(RTM_NEWNSID); // 'RTM_NEWNSID'
 */
export const RTM_NEWNSID = 88;
/**
 * `RTM_DELNSID` = 89.
 *
 * @example
 * messageTypeName(RTM_DELNSID); // 'RTM_DELNSID'
 */
export const RTM_DELNSID = 89;
/**
 * `RTM_GETNSID` = 90.
 *
 * @example
 * messageTypeName(RTM_GETNSID); // 'RTM_GETNSID'
 */
export const RTM_GETNSID = 90;
/**
 * `RTM_NEWSTATS` = 92.
 *
 * @example
 * messageTypeName(RTM_NEWSTATS); // 'RTM_NEWSTATS'
 */
export const RTM_NEWSTATS = 92;
/**
 * `RTM_GETSTATS` = 94.
 *
 * @example
 * messageTypeName(RTM_GETSTATS); // 'RTM_GETSTATS'
 */
export const RTM_GETSTATS = 94;
/**
 * `RTM_SETSTATS` = 95.
 *
 * @example
 * messageTypeName(RTM_SETSTATS); // 'RTM_SETSTATS'
 */
export const RTM_SETSTATS = 95;
/**
 * `RTM_NEWCACHEREPORT` = 96.
 *
 * @example
 * messageTypeName(RTM_NEWCACHEREPORT); // 'RTM_NEWCACHEREPORT'
 */
export const RTM_NEWCACHEREPORT = 96;
/**
 * `RTM_NEWCHAIN` = 100.
 *
 * @example
 * messageTypeName(RTM_NEWCHAIN); // 'RTM_NEWCHAIN'
 */
export const RTM_NEWCHAIN = 100;
/**
 * `RTM_DELCHAIN` = 101.
 *
 * @example
 * messageTypeName(RTM_DELCHAIN); // 'RTM_DELCHAIN'
 */
export const RTM_DELCHAIN = 101;
/**
 * `RTM_GETCHAIN` = 102.
 *
 * @example
 * messageTypeName(RTM_GETCHAIN); // 'RTM_GETCHAIN'
 */
export const RTM_GETCHAIN = 102;
/**
 * `RTM_NEWNEXTHOP` = 104.
 *
 * @example
 * messageTypeName(RTM_NEWNEXTHOP); // 'RTM_NEWNEXTHOP'
 */
export const RTM_NEWNEXTHOP = 104;
/**
 * `RTM_DELNEXTHOP` = 105.
 *
 * @example
 * messageTypeName(RTM_DELNEXTHOP); // 'RTM_DELNEXTHOP'
 */
export const RTM_DELNEXTHOP = 105;
/**
 * `RTM_GETNEXTHOP` = 106.
 *
 * @example
 * messageTypeName(RTM_GETNEXTHOP); // 'RTM_GETNEXTHOP'
 */
export const RTM_GETNEXTHOP = 106;
/**
 * `RTM_NEWLINKPROP` = 108.
 *
 * @example
 * messageTypeName(RTM_NEWLINKPROP); // 'RTM_NEWLINKPROP'
 */
export const RTM_NEWLINKPROP = 108;
/**
 * `RTM_DELLINKPROP` = 109.
 *
 * @example
 * messageTypeName(RTM_DELLINKPROP); // 'RTM_DELLINKPROP'
 */
export const RTM_DELLINKPROP = 109;
/**
 * `RTM_GETLINKPROP` = 110.
 *
 * @example
 * messageTypeName(RTM_GETLINKPROP); // 'RTM_GETLINKPROP'
 */
export const RTM_GETLINKPROP = 110;
/**
 * `RTM_NEWVLAN` = 112.
 *
 * @example
 * messageTypeName(RTM_NEWVLAN); // 'RTM_NEWVLAN'
 */
export const RTM_NEWVLAN = 112;
/**
 * `RTM_DELVLAN` = 113.
 *
 * @example
 * messageTypeName(RTM_DELVLAN); // 'RTM_DELVLAN'
 */
export const RTM_DELVLAN = 113;
/**
 * `RTM_GETVLAN` = 114.
 *
 * @example
 * messageTypeName(RTM_GETVLAN); // 'RTM_GETVLAN'
 */
export const RTM_GETVLAN = 114;
/**
 * `RTM_NEWNEXTHOPBUCKET` = 116.
 *
 * @example
 * messageTypeName(RTM_NEWNEXTHOPBUCKET); // 'RTM_NEWNEXTHOPBUCKET'
 */
export const RTM_NEWNEXTHOPBUCKET = 116;
/**
 * `RTM_DELNEXTHOPBUCKET` = 117.
 *
 * @example
 * messageTypeName(RTM_DELNEXTHOPBUCKET); // 'RTM_DELNEXTHOPBUCKET'
 */
export const RTM_DELNEXTHOPBUCKET = 117;
/**
 * `RTM_GETNEXTHOPBUCKET` = 118.
 *
 * @example
 * messageTypeName(RTM_GETNEXTHOPBUCKET); // 'RTM_GETNEXTHOPBUCKET'
 */
export const RTM_GETNEXTHOPBUCKET = 118;
/**
 * `RTM_NEWTUNNEL` = 120.
 *
 * @example
 * messageTypeName(RTM_NEWTUNNEL); // 'RTM_NEWTUNNEL'
 */
export const RTM_NEWTUNNEL = 120;
/**
 * `RTM_DELTUNNEL` = 121.
 *
 * @example
 * messageTypeName(RTM_DELTUNNEL); // 'RTM_DELTUNNEL'
 */
export const RTM_DELTUNNEL = 121;
/**
 * `RTM_GETTUNNEL` = 122.
 *
 * @example
 * messageTypeName(RTM_GETTUNNEL); // 'RTM_GETTUNNEL'
 */
export const RTM_GETTUNNEL = 122;

/**
 * Every message type name this codec knows, with its number.
 *
 * @example
 * MESSAGE_TYPES.RTM_GETROUTE; // 26
 */
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

/**
 * A message type name known to the codec (`'RTM_NEWLINK'`, `'NLMSG_ERROR'`, ...).
 *
 * @example
 * const t: MessageTypeName = 'RTM_NEWADDR';
 */
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
 *
 * @example
 * const kind: MessageKind = messageKind(RTM_DELADDR); // 'del'
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
