// The one immer instance passes use.
//
// Decision: a private `Immer` with autoFreeze off, instead of the global `setAutoFreeze(false)`
// (which would change immer for every other module). Why off: Tensor data are typed arrays,
// which immer never drafts and cannot freeze (Object.freeze throws on non-empty array buffer
// views), so freezing would give a false promise of immutability while walking every new
// initializer and node object. Passes treat graphs, tensors and their data as immutable by
// convention: never write into `tensor.data`; build a new Tensor instead.
import { Immer } from 'immer';

const immer = new Immer({ autoFreeze: false });

export const produce: Immer['produce'] = immer.produce;
