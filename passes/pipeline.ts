// The core pipeline, in order. Why this order:
// - lower-qonnx first: QONNX quantizers become Q/DQ pairs and integer weights before anything
//   looks at them (constant folding must not turn Quant(w) into float weights).
// - remove-identity before shape inference: fewer nodes to infer, and Identity/Dropout chains
//   would otherwise hide Shape → Reshape patterns and DQ → Conv adjacency.
// - shape-inference, constant-folding, shape-inference: folding Shape of static tensors needs
//   shapes; folded Reshape/Expand shapes make the second inference exact (and it is cheap).
// - dead-code after folding drops the Shape/Gather/Concat leftovers and orphaned constants.
// - fold-weight-movement before fold-batchnorm: Transpose(DQ(w_int)) becomes DQ(w_int transposed),
//   so the BN fold and recognition see the quantized weight (Brevitas Linear layers).
// - fold-batchnorm before qdq-recognition: a BN between Conv and Relu/Q would hide the pattern;
//   folding it (into float weights, or into the DQ scale of integer weights) exposes it.
// - qdq-recognition before fuse-activation: recognition absorbs Relu/Clip between Conv and Q;
//   fuse-activation then handles QConv → DQ → Relu → Q and the remaining float Conv/Gemm.
// - fold-float-weights after recognition: DQ(integer constant) that no QConv/QGemm absorbed feeds
//   a float op (the ESPCN's first conv takes the float input): it becomes a float32 constant.
// - a final dead-code and shape-inference leave every tensor described and nothing unused.
import type { Pass } from './pass-manager';
import { constantFolding, foldFloatWeights } from './constant-folding';
import { deadCode } from './dead-code';
import { foldBatchNormPass } from './fold-batchnorm';
import { foldWeightMovementPass } from './fold-weight-movement';
import { fuseActivation } from './fuse-activation';
import { lowerQonnxPass } from './lower-qonnx';
import { qdqRecognition } from './qdq-recognition';
import { removeIdentityPass } from './remove-identity';
import { shapeInference } from './shape-inference';

export const corePipeline: Pass[] = [
  lowerQonnxPass,
  removeIdentityPass,
  shapeInference,
  constantFolding,
  shapeInference,
  deadCode,
  foldWeightMovementPass,
  foldBatchNormPass,
  qdqRecognition,
  fuseActivation,
  foldFloatWeights,
  deadCode,
  shapeInference,
];

/** Every distinct pass of the pipeline with its one-line description, for `hsq passes`. */
export function listPasses(passes: readonly Pass[] = corePipeline): { name: string; description: string }[] {
  const seen = new Set<string>();
  const out: { name: string; description: string }[] = [];
  for (const p of passes) if (!seen.has(p.name)) { seen.add(p.name); out.push({ name: p.name, description: p.description }); }
  return out;
}
