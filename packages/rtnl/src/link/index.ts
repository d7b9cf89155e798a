/** Links: the model, the operations (installed on `Handle`), and the kind registry. */
import './get.js';
import './set.js';
import './add.js';
import './del.js';
import './move.js';
import '../tuntap.js';

export { linkFromMessage, flagsFromBits, LINK_FLAG_BITS, OPER_STATES, type Link, type LinkFlag, type OperState, type LinkStatistics } from './link.js';
export { decodeLinks, linkFromBytes, type DecodeLinksOptions } from './decode.js';
export { resolveLinkIndex, type LinkRef } from './ref.js';
export { linkByName, linkByIndex, linkList, type LinkListFilter } from './get.js';
export {
  linkSetUp, linkSetDown, linkSetMTU, linkSetName, linkSetAlias, linkSetHardwareAddr, linkSetMaster, linkSetMasterByIndex,
  linkSetNoMaster, linkSetTxQLen, linkSetGroup, linkSetNsFd, linkSetNsPid,
} from './set.js';
export { linkAdd, validateLinkSpec } from './add.js';
export { linkDel, linkDelAll, LinkDelAllError } from './del.js';
export { linkMoveToNetns, AddressRestoreError, type MoveOptions } from './move.js';
export type { LinkSpec, LinkSpecCommon, LinkSpecMap, LinkData, LinkDataMap } from './spec.js';
export * from './kinds/index.js';
export { tuntapAddQueues, tuntapRemoveQueues, type TuntapSpec } from '../tuntap.js';
