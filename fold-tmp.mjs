import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { readFileSync } from 'node:fs';
import { foldActivations } from './dist/src/inference/ocr/activationFold.js';
const { onnx } = onnxProto;
const bytes = readFileSync(process.argv[2]);
const m = onnx.ModelProto.decode(bytes);
console.log(foldActivations(m.graph));
const folded = onnx.ModelProto.encode(m).finish();
const opts = { graphOptimizationLevel: 'all', intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const [a, b] = [await ort.InferenceSession.create(bytes, opts), await ort.InferenceSession.create(folded, opts)];
const shape = process.argv[3].split('x').map(Number);
const x = new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => Math.random() * 2 - 1), shape);
const feed = { [a.inputNames[0]]: x };
const [ra, rb] = [await a.run(feed), await b.run(feed)];
const [oa, ob] = [Object.values(ra)[0].data, Object.values(rb)[0].data];
let md = 0; for (let i = 0; i < oa.length; i++) md = Math.max(md, Math.abs(oa[i] - ob[i]));
console.log('max abs diff', md, 'of', oa.length);
for (const [name, s] of [['orig', a], ['folded', b], ['orig', a], ['folded', b]]) { for (let i = 0; i < 3; i++) await s.run(feed); const t = performance.now(); for (let i = 0; i < 15; i++) await s.run(feed); console.log(name, 'ms/run', ((performance.now() - t) / 15).toFixed(1)); }
