// hsq.cmake in a real CMake project: hsq_add_model generates and builds the model, reruns code
// generation when the config changes and not when nothing changed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHARED } from './support/conformance';
import { loadModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { makeTensor } from '../core/ir/tensor';
import { describeShared, sharedPath, testShared } from './support/shared';

const ROOT = path.resolve(__dirname, '..');
const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv/model.onnx');
const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8' });

describe('hsq.cmake', () => {
  testShared('hsq_add_model builds a host program; config changes regenerate, no change does not', () => {
    const cmakePath = run(process.execPath, [path.join(ROOT, 'bin/hsq.js'), 'cmake-path'], ROOT).stdout.trim();
    expect(fs.existsSync(cmakePath)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-cmake-'));
    fs.writeFileSync(path.join(dir, 'hsq.config.json'), JSON.stringify({ name: 'mnist' }));
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.16)',
      'project(app C)',
      `include("${cmakePath}")`,
      'add_executable(app main.c)',
      'target_link_libraries(app m)',
      `hsq_add_model(app MODEL "${MNIST}" DEVICE host NAME mnist CONFIG hsq.config.json)`,
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'main.c'), `#include <stdio.h>
#include "mnist.h"
static float arena_f[(MNIST_ARENA_SIZE + 3) / 4];
int main(void) {
  static float x[MNIST_INPUT0_SIZE]; float y[MNIST_OUTPUT0_SIZE]; int i;
  const float* in[1] = { x }; float* out[1] = { y };
  for (i = 0; i < MNIST_INPUT0_SIZE; i++) x[i] = (float)(i % 17) / 16.0f;
  if (mnist_run_float(in, out, arena_f) != HSQ_OK) return 1;
  for (i = 0; i < MNIST_OUTPUT0_SIZE; i++) printf("%.9g\\n", y[i]);
  return 0;
}
`);
    const build = path.join(dir, 'build');
    const conf = run('cmake', ['-S', dir, '-B', build], dir);
    expect(conf.status).toBe(0);
    const b1 = run('cmake', ['--build', build], dir);
    expect(b1.stderr).not.toMatch(/error/i);
    expect(b1.status).toBe(0);
    const out = run(path.join(build, 'app'), [], dir).stdout.trim().split('\n').map((v) => Math.fround(Number(v)));
    // The same numbers as the interpreter.
    const g = lower(loadModel(MNIST));
    const x = makeTensor('float32', [1, 1, 28, 28], Array.from({ length: 784 }, (_, i) => Math.fround((i % 17) / 16)));
    expect(out).toEqual(Array.from(runGraph(g, { Input3: x })[g.outputs[0]].data));
    // Unchanged inputs: no regeneration.
    const b2 = run('cmake', ['--build', build], dir);
    expect(b2.stdout).not.toMatch(/hsq: compiling/);
    // A changed config: regeneration.
    fs.writeFileSync(path.join(dir, 'hsq.config.json'), JSON.stringify({ name: 'mnist', weightsFormat: 'c' }));
    const b3 = run('cmake', ['--build', build], dir);
    expect(b3.stdout).toMatch(/hsq: compiling mnist for host/);
    expect(b3.status).toBe(0);
  });
});
