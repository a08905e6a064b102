// The contract every operator implements: shape/dtype inference and evaluation.
import { DType } from '../../core/ir/dtype';
import { Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';

export interface InferredOutput {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface InferArgs {
  readonly node: Node;
  /** Input infos by position; undefined for omitted optional inputs. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  /** Values of inputs known at compile time (initializers), by position. */
  readonly values: readonly (Tensor | undefined)[];
}

export interface RunArgs {
  readonly node: Node;
  readonly inputs: readonly (Tensor | undefined)[];
  /** Infos of the inputs and outputs (quantization lives here). */
  readonly inputInfos: readonly (TensorInfo | undefined)[];
  readonly outputInfos: readonly (TensorInfo | undefined)[];
}

export interface OpImpl {
  /** ONNX op type, e.g. 'Conv'. */
  readonly op: string;
  /** Domains this implementation serves ('' = ai.onnx). */
  readonly domains: readonly string[];
  /** Input positions whose values must be known at compile time (weights, shapes, scales). */
  readonly constInputs?: readonly number[];
  infer(args: InferArgs): InferredOutput[];
  run(args: RunArgs): Tensor[];
}
