#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Diagnostic, formatDiagnostic } from '../dsl/diagnostic.js';
import { buildGraph, EntryInputsError, entryNames } from '../dsl/entry.js';
import { loadProgram, searchPath, type LoadedProgram } from '../dsl/loader.js';
import { resolveProgram } from '../dsl/resolve.js';
import { dimTypoWarnings } from '../dsl/dim-typos.js';
import { SafetensorsError, writeSafetensors } from '../fiber/safetensors.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import type { FusionMode } from '../compile/plan.js';
import { PlanError } from '../compile/arenas.js';
import { CUDA_DEFAULT_LIMITS } from '../compile/limits.js';
import { compilePtx, compileWgsl, DUMPABLE, type PassName } from '../driver/pipeline.js';
import { PTX_ARCHS, type PtxArch } from '../codegen/ptx/emit.js';
import { MATMUL_PRECISIONS, type MatmulPrecision } from '../codegen/ptx/mma.js';
import { assemble, PtxasError } from '../codegen/ptx/ptxas.js';
import { CudaError, NoCudaDriverError } from '../runtime/cuda/driver.js';
import { formatPlan, reportPlan } from '../compile/report.js';
import { gradGraph } from '../ir/grad.js';
import { BACKENDS, type BackendName } from '../runtime/device.js';
import { openDevice, targetLimits } from '../runtime/open.js';
import { WebGpuError } from '../runtime/webgpu/device.js';
import { NoAdapterError, setDawnVerbose } from '../runtime/webgpu/dawn.js';
import { writeKernels, writePtxKernels } from '../driver/write.js';
import { FeedError, missingParams, prepareFeeds } from '../runtime/feeds.js';
import { runDemo } from './demo.js';
import { runTrain, TRAIN_MODELS, TRAIN_STAGES, type TrainFlags } from './train.js';
import { CAPTION_STYLES } from '../data/captions.js';
import { RETRIEVAL_DEFAULTS, runEval, type EvalFlags } from './eval.js';
import { HELD_OUT_SPLITS } from './data-source.js';
import { withGradientSeeds } from './grad-seeds.js';
import { sampleInputs } from './sample-inputs.js';
import { FUZZ_BACKENDS, runFuzz, type FuzzFlags } from './fuzz.js';
import { HostDataError } from '../runtime/host-data.js';
import { CheckpointError } from '../train/checkpoint.js';
import { TokenizerError } from '../data/tokenizer.js';
import { DataError } from '../data/image-text-files.js';
import { checkWritableFile, ensureFolder, FileError } from '../files.js';
import { BindingError, checkBindings, parseBindings, processIO, readOptional, shapesOf, UsageError, type CliIO } from './io.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The flags `plan` and `emit` share. */
interface CompileFlags {
  entry: string;
  target: 'wgsl' | 'ptx';
  arch: PtxArch;
  matmulPrecision: MatmulPrecision;
  mode: FusionMode;
  limits: 'adapter' | 'default';
  bind: string[];
  grad?: boolean;
}

/** Adds the shared compile flags (entry, target, arch, mode, limits, bind, grad) to a command. */
function compileOptions(command: Command): Command {
  return command
    .argument('<file>', '.fib source file')
    .requiredOption('--entry <name>', 'module or fn to compile')
    .addOption(new Option('--target <target>', 'code generation target').choices(['wgsl', 'ptx']).default('wgsl'))
    .addOption(new Option('--arch <arch>', 'PTX architecture').choices([...PTX_ARCHS]).default('sm_90a'))
    .addOption(new Option('--matmul-precision <type>', 'PTX: operand type of matmul kernels (f16/bf16: tensor-core mma.sync, f32 accumulation)').choices([...MATMUL_PRECISIONS]).default('f32'))
    .addOption(new Option('--mode <mode>', 'fusion mode').choices(['fused', 'unfused']).default('fused'))
    .addOption(new Option('--limits <which>', 'WebGPU limits to compile for: the adapter\'s, or the WebGPU defaults').choices(['adapter', 'default']).default('adapter'))
    .option('--bind <dim=n>', 'size of a free dim (repeatable)', collect, [])
    .option('--grad', 'compile the backward graph instead of the forward one');
}

/** The graph `plan` and `emit` compile: the entry, or its backward graph with --grad. */
function graphToCompile(program: LoadedProgram, opts: CompileFlags): Graph {
  const bindings = parseBindings(opts.bind);
  const graph = buildGraph(program, opts.entry, { bindings });
  checkBindings(opts.entry, bindings, graph.bindings);
  return opts.grad ? gradGraph(graph) : graph;
}

/**
 * The fiberc command line. Returns the exit code: 0 on success, 1 for errors in the user's
 * program or files (printed without a stack trace), 2 for command-line misuse.
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let loaded: LoadedProgram | undefined;
  let libs: string[] = [];
  const load = (file: string): LoadedProgram => {
    loaded = loadProgram(file, undefined, searchPath(libs));
    for (const w of dimTypoWarnings(loaded)) io.err(formatDiagnostic(w, loaded.sources, 'warning'));
    return loaded;
  };
  const program = new Command('fiberc')
    .description('Compiler and runtime for fused vision-language backbones (FIBER), written in the .fib tensor language')
    .option('--verbose', 'also show the GPU driver\'s own warnings (Dawn)')
    .option('--lib <dir>', 'a folder `import "x.fib"` also searches (repeatable; then FIBERC_PATH, then the installed examples)', collect, [])
    .hook('preAction', (cmd) => {
      setDawnVerbose(Boolean(cmd.opts().verbose));
      libs = cmd.opts().lib as string[];
    })
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('check')
    .description('parse and elaborate FILE; every entry (module whose hyperparams all have defaults) is built with small sizes for unbound dims')
    .argument('<file>', '.fib source file')
    .action((file: string) => {
      const p = load(file);
      resolveProgram(p);
      const entries = entryNames(p);
      for (const name of entries) buildGraph(p, name, { witness: true });
      io.out(`${p.main}: ok (${p.programs.size} files, ${p.globals.size} declarations, entries checked: ${entries.join(', ') || 'none'})`);
    });

  program
    .command('ir')
    .description('print the graph IR of an entry')
    .argument('<file>', '.fib source file')
    .requiredOption('--entry <name>', 'module or fn to build')
    .option('--bind <dim=n>', 'size of a free dim of the entry inputs (repeatable)', collect, [])
    .option('--grad', 'print the backward graph (outputs plus the gradients of all float params and inputs)')
    .action(async (file: string, opts: { entry: string; bind: string[]; grad?: boolean }) => {
      const bindings = parseBindings(opts.bind);
      const graph = buildGraph(load(file), opts.entry, { bindings });
      checkBindings(opts.entry, bindings, graph.bindings);
      io.out(printGraph(opts.grad ? gradGraph(graph) : graph));
    });

  program
    .command('run')
    .description('run an entry on a backend: inputs from a safetensors file, outputs to another')
    .argument('<file>', '.fib source file')
    .requiredOption('--entry <name>', 'module or fn to run')
    .addOption(new Option('--backend <name>', 'where to run').choices([...BACKENDS]).default('cpu'))
    .option('--params <file>', 'parameters (.safetensors); params missing from it are initialised from their declared initialisers')
    .requiredOption('--inputs <file>', 'entry inputs (.safetensors), by argument name')
    .requiredOption('--out <file>', 'where to write the outputs (.safetensors)')
    .option('--save-params <file>', 'also write the params used (initialised ones included)')
    .option('--bind <dim=n>', 'size of a free dim (normally taken from the inputs)', collect, [])
    .option('--seed <n>', 'seed for parameter initialisation', '0')
    .option('--strict-params', 'fail when the params file does not cover every param (default: initialise the rest, with a note)')
    .option('--grad [output]', 'also write grad:<name> for every float param and input: the gradient of the scalar output, or of OUTPUT seeded by grad:OUTPUT from the inputs file')
    .action(async (file: string, opts: { entry: string; backend: BackendName; params?: string; inputs: string; out: string; saveParams?: string; bind: string[]; seed: string; strictParams?: boolean; grad?: string | boolean }) => {
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed expects an integer, got '${opts.seed}'`);
      // Every destination is checked before any work, so a bad one loses nothing.
      checkWritableFile(opts.out, '--out');
      if (opts.saveParams !== undefined) checkWritableFile(opts.saveParams, '--save-params');
      const inputs = readOptional(opts.inputs, '--inputs');
      const params = readOptional(opts.params, '--params');
      const bindings = parseBindings(opts.bind);
      // Seed gradients (grad:<output>) in the inputs file are not entry inputs.
      const entryInputs = new Map([...inputs].filter(([k]) => !k.startsWith('grad:')));
      const forward = buildGraph(load(file), opts.entry, { bindings, inputShapes: shapesOf(entryInputs) });
      checkBindings(opts.entry, bindings, forward.bindings);
      const graph = opts.grad === undefined ? forward : withGradientSeeds(forward, inputs, opts.grad);
      const uncovered = opts.params === undefined ? [] : missingParams(graph, params);
      if (uncovered.length > 0) {
        const list = uncovered.length <= 5 ? uncovered.join(', ') : `${uncovered.slice(0, 5).join(', ')}, ...`;
        if (opts.strictParams) throw new FeedError(`the params file lacks ${uncovered.length} of the ${graph.params.length} params of ${opts.entry}: ${list}`);
        io.err(`fiberc: note: the params file covers ${graph.params.length - uncovered.length} of ${graph.params.length} params; ${uncovered.length} initialised from their declared initialisers (${list}); --strict-params makes this an error`);
      }
      const feeds = prepareFeeds(graph, inputs, params, seed);
      const device = await openDevice(opts.backend);
      const outputs = await device.run(graph, feeds);
      writeSafetensors(opts.out, outputs, { entry: opts.entry, backend: opts.backend });
      if (opts.saveParams) {
        writeSafetensors(opts.saveParams, new Map(graph.params.map((p) => [(p.op as { name: string }).name, feeds.get((p.op as { name: string }).name)!])));
      }
      for (const [name, t] of outputs) io.out(`${name}: ${t.type}`);
      io.out(`wrote ${opts.out}`);
    });

  program
    .command('inputs')
    .description('write an inputs file for an entry, every input with its name, shape and dtype: random (normal floats, ids inside the tables they index, padding masks) or zeros')
    .argument('<file>', '.fib source file')
    .requiredOption('--entry <name>', 'module or fn whose inputs to write')
    .requiredOption('--out <file>', 'where to write them (.safetensors)')
    .option('--bind <dim=n>', 'size of a free dim (repeatable)', collect, [])
    .option('--random', 'random values (the default)')
    .option('--zeros', 'zeros (masks all ones)')
    .option('--seed <n>', 'seed of the random values', '0')
    .action((file: string, opts: { entry: string; out: string; bind: string[]; random?: boolean; zeros?: boolean; seed: string }) => {
      if (opts.random && opts.zeros) throw new UsageError('give --random or --zeros, not both');
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed expects an integer, got '${opts.seed}'`);
      checkWritableFile(opts.out, '--out');
      const bindings = parseBindings(opts.bind);
      const graph = buildGraph(load(file), opts.entry, { bindings });
      checkBindings(opts.entry, bindings, graph.bindings);
      const inputs = sampleInputs(graph, seed, opts.zeros ? 'zeros' : 'random');
      writeSafetensors(opts.out, inputs, { entry: opts.entry });
      for (const [name, t] of inputs) io.out(`${name}: ${t.type}`);
      io.out(`wrote ${opts.out}`);
    });

  compileOptions(program
    .command('plan'))
    .description('show how an entry is split into kernels: ops fused, dispatches, FLOPs, bytes, and why each kernel ends (for ptx: ptxas\'s register, shared-memory and spill report)')
    .option('--json', 'print one JSON object (kernels array, dispatches, flops, bytes)')
    .addOption(new Option('--dump-after <pass>', 'also print the state after a compiler pass (see src/driver/pipeline.ts)').choices([...DUMPABLE]))
    .action(async (file: string, opts: CompileFlags & { json?: boolean; dumpAfter?: PassName }) => {
      const source = graphToCompile(load(file), opts);
      const dump = (text: string): void => io.out(`--- after ${opts.dumpAfter} ---\n${text}\n--- end of ${opts.dumpAfter} ---`);
      let report;
      if (opts.target === 'ptx') {
        const program = compilePtx(source, { mode: opts.mode, limits: CUDA_DEFAULT_LIMITS, arch: opts.arch, matmul: opts.matmulPrecision, dumpAfter: opts.dumpAfter, dump });
        report = reportPlan(program.plan, opts.entry, `ptx ${opts.arch}`, { ptxas: assemble(program.module.source, opts.arch) });
      } else {
        const program = compileWgsl(source, { mode: opts.mode, limits: await targetLimits(opts.limits), dumpAfter: opts.dumpAfter, dump });
        report = reportPlan(program.plan, opts.entry, 'wgsl', { code: program.kernels.map((k) => k.source) });
      }
      io.out(opts.json ? JSON.stringify(report, null, 2) : formatPlan(report));
    });

  compileOptions(program
    .command('emit'))
    .description('write the kernels of an entry (one file per kernel) and its plan.json to a folder')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (file: string, opts: CompileFlags & { out: string }) => {
      ensureFolder(opts.out, 'emit --out');
      const source = graphToCompile(load(file), opts);
      const written = opts.target === 'ptx'
        ? writePtxKernels(compilePtx(source, { mode: opts.mode, limits: CUDA_DEFAULT_LIMITS, arch: opts.arch, matmul: opts.matmulPrecision }), opts.entry, opts.out)
        : writeKernels(compileWgsl(source, { mode: opts.mode, limits: await targetLimits(opts.limits) }), opts.entry, opts.out);
      io.out(`wrote ${written.length} kernels and plan.json to ${opts.out}`);
    });

  program
    .command('demo')
    .description('the main job: compile the FIBER example layers (or the entries of FILE) for WebGPU, show the plan, run them and check them against the interpreter, gradients against finite differences')
    .argument('[file]', '.fib file whose entries to check (default: the FIBER examples)')
    .option('--entry <name>', 'an entry to check (repeatable; default: every entry of FILE)', collect, [])
    .option('--bind <dim=n>', 'size of a free dim (repeatable; default B=2 T=8 L=16)', collect, [])
    .option('--examples <dir>', 'folder with fiber.fib', 'examples')
    .action(async (file: string | undefined, opts: { examples: string; entry: string[]; bind: string[] }) => {
      const bindings = parseBindings(opts.bind);
      await runDemo(opts.examples, io, (f) => load(f), {
        ...(file !== undefined ? { file } : {}),
        ...(opts.entry.length > 0 ? { entries: opts.entry } : {}),
        ...(opts.bind.length > 0 ? { bindings } : {}),
      });
    });

  let exitCode = 0;
  // train and eval read data alike (src/cli/data-source.ts).
  const badDataOption = (): Option => new Option('--bad-data <what>', 'with coco:DIR: stop at bad entries and images, or skip them (counted)').default('stop');
  program
    .command('train')
    .description('pre-train a FIBER model (--stage image: the image tower alone; coarse: ITC + MLM + ITM in one compiled step), or fine-tune one for VQA, into a run folder: metrics.jsonl, checkpoints; --resume continues from the latest checkpoint')
    .option('--task <task>', 'pretrain, or vqa (fine-tuning from --init)', 'pretrain')
    .option('--init <path>', 'a run folder or checkpoint whose trained params start this run: required for vqa (a pre-trained model); for coarse pre-training, e.g. a --stage image run (the image tower); for --stage image, a tower to train further')
    .option('--head-lr-scale <x>', 'learning-rate multiple of the task heads: MLM, ITM, VQA, the image tower\'s classifier (default: FIBER\'s, 5 in pre-training, 50 for --task vqa)')
    .option('--cross-modal-lr-scale <x>', 'learning-rate multiple of the cross-modal params: cross-attention, fusion gates, cross-modal transforms and poolers (FIBER: 5)', '5')
    .option('--place-weight <w>', 'also name, from the fused [CLS] features, the grid cells of the two objects a relation question (--task vqa: FiberVQAGrounded) or a relation statement about each image (coarse, --itc queue: FiberPretrainingGrounded) compares, with this weight (absent: FIBER\'s losses alone)')
    .option('--read-places', 'with --task vqa and --place-weight: the classifier reads the place head\'s distribution over each compared object\'s cell beside the fused [CLS] features (FiberVQAPlaceReader; a fiberc variant, not FIBER\'s head)')
    .option('--read-relation', 'with --read-places: a head also names the relation a relation question asks (above, below, left of, right of) in the place objective, and the classifier reads its distribution too (FiberVQARelationReader; a fiberc variant)')
    .option('--opening-steps <n>', 'with --task vqa: the first n steps draw only questions of --opening-types, the rest every question (with --place-weight, relation questions first, so the places are held before the answers need them)')
    .option('--opening-types <types>', 'with --opening-steps: comma-separated question types of the opening steps; default relation (synthetic: color, shape, count, exists, relation)')
    .addOption(new Option('--model <name>', 'model to train').choices(Object.keys(TRAIN_MODELS)).default('FiberTiny'))
    .addOption(new Option('--stage <stage>', "pre-training stage: image (the image tower alone learns the colour, shape and size of the object in each cell of a synthetic scene, as FIBER starts from an ImageNet-pretrained Swin) or coarse (ITC + MLM + ITM)").choices([...TRAIN_STAGES]).default('coarse'))
    .option('--data <source>', 'training data: synthetic (built in), or coco:DIR (DIR/train.json captions, DIR/vqa_train.json questions, images relative to DIR)', 'synthetic')
    .option('--tokenizer <file>', 'with coco:DIR: a Hugging Face tokenizer.json whose vocabulary fits the model')
    .addOption(badDataOption())
    .option('--steps <n>', 'optimizer steps', '1000')
    .option('--batch <n>', 'examples per step', '8')
    .requiredOption('--out <dir>', 'run folder')
    .option('--resume', 'continue from the run folder\'s latest checkpoint')
    .addOption(new Option('--backend <name>', 'where to train').choices([...BACKENDS]).default('webgpu'))
    .option('--seed <n>', 'seed of the data, the initial params and every draw', '0')
    .option('--lr <x>', 'peak learning rate (FIBER\'s groups: 5x on cross-modal params and heads)', '0.0005')
    .option('--warmup <fraction>', 'fraction of the steps warming the learning rate up from 0', '0.1')
    .option('--text-length <n>', 'token positions per text (default: the model\'s 38; for --task vqa, as many as the longest training question takes)')
    .option('--train-size <n>', 'synthetic training images (default: one for each example the steps take, so none repeats)')
    .option('--checkpoint-every <n>', 'steps between checkpoints', '100')
    .option('--alpha-init <x>', "fusion gates (alpha) not loaded from a checkpoint start at x instead of FIBER's 0 (from scratch, a gate at 0 passes no gradient to its cross-attention; spec/training.md)")
    .option('--mlm-focus <words>', "MLM also masks one of these words in every caption (or each with --mlm-focus-probability), besides FIBER's random 15%: attributes (the synthetic corpus's size, colour and shape words) or a file of words, one per line (spec/training.md)")
    .option('--mlm-probability <p>', "the chance of each caption token to be masked at random (FIBER: 0.15); 0 with --mlm-focus masks only the focus words")
    .option('--mlm-focus-probability <p>', 'the chance of each --mlm-focus word in a caption to be masked, one always is (default: exactly one per caption)')
    .option('--param-init <scheme>', 'params not loaded from a checkpoint: fan-in (weights drawn with std 1/sqrt(fan-in), for training narrow models from scratch) or declared (as the .fib declares them)', 'fan-in')
    .addOption(new Option('--captions <style>', 'how the synthetic captions say where their objects are: absolute (each by its grid cell) or relative (half the objects that share a row or column with the one named before it by their offset from it: "just below it"; spec/data.md)').choices([...CAPTION_STYLES]).default('absolute'))
    .option('--itc <negatives>', "ITC's negatives: batch (the batch's other captions and images, as CLIP; learns sooner) or queue (and a queue of past features from a momentum encoder, as ALBEF; ends higher)", 'batch')
    .option('--accumulate <n>', 'batches per optimizer step: their gradients are averaged into one update (n x --batch examples a step; ITC negatives stay within a batch)', '1')
    .action(async (opts: TrainFlags) => {
      exitCode = await runTrain(opts, io);
    });

  program
    .command('eval')
    .description('evaluate a trained checkpoint on held-out data: --task retrieval (dual-encoder recall, then ITM re-ranking of each query\'s top k) or --task vqa (accuracy per question type)')
    .option('--task <task>', 'retrieval or vqa', 'retrieval')
    .requiredOption('--ckpt <path>', 'a checkpoint, or a run folder (its latest)')
    .addOption(new Option('--backend <name>', 'where to run').choices([...BACKENDS]).default('webgpu'))
    .option('--test-size <n>', 'held-out images (each with its first caption)', '1000')
    .addOption(new Option('--captions <style>', 'retrieval on the synthetic corpus: its captions absolute (each object by its grid cell) or relative (as fiberc train --captions relative); relative results go to retrieval-relative*.json').choices([...CAPTION_STYLES]).default('absolute'))
    .option('--k <n>', 'candidates per query re-scored by ITM', RETRIEVAL_DEFAULTS.k)
    .option('--itc-weight <w>', 'the ITM + ITC ranking adds w times the ITC cosine similarity to the ITM logit (ALBEF: 1); choose it with --split val', RETRIEVAL_DEFAULTS.itcWeight)
    .option('--batch <n>', 'examples per program run', '8')
    .option('--data <source>', 'held-out data: synthetic (the split of the checkpoint\'s seed), or coco:DIR (DIR/test.json, DIR/vqa_test.json; DIR/val.json, DIR/vqa_val.json with --split val); default: what the checkpoint was trained on')
    .addOption(new Option('--split <split>', 'test: the figures to report; val: for choosing settings (--k, checkpoints) without looking at test; written to retrieval-val.json / vqa-val.json').choices([...HELD_OUT_SPLITS]).default('test'))
    .addOption(badDataOption())
    .action(async (opts: EvalFlags) => {
      exitCode = await runEval(opts, io);
    });

  program
    .command('fuzz')
    .description('differential fuzzing: random programs on edge-valued inputs, forward and backward, on each backend against the interpreter; a failure is shrunk to a minimal program')
    .option('--minutes <n>', 'stop starting new programs after this long')
    .option('--runs <n>', 'number of programs (default 100 when --minutes is not given)')
    .option('--seed <n>', 'seed of the program generator', '1')
    .option('--backends <list>', `comma-separated, from ${FUZZ_BACKENDS.join(', ')}`, 'webgpu,webgpu-unfused,cuda-sim')
    .action(async (opts: FuzzFlags) => {
      exitCode = await runFuzz(opts, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof Diagnostic) {
      io.err(formatDiagnostic(e, loaded?.sources ?? e.sources ?? new Map()));
      return 1;
    }
    if (e instanceof UsageError) {
      io.err(`fiberc: ${e.message}`);
      return 2;
    }
    if (e instanceof SafetensorsError || e instanceof FeedError || e instanceof HostDataError || e instanceof FileError || e instanceof EntryInputsError || e instanceof BindingError || e instanceof PlanError || e instanceof WebGpuError || e instanceof NoAdapterError || e instanceof PtxasError || e instanceof NoCudaDriverError || e instanceof CudaError || e instanceof CheckpointError || e instanceof TokenizerError || e instanceof DataError) {
      io.err(`fiberc: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
/**
 * Exits once stdout and stderr have taken everything written to them. The exit is explicit
 * because a WebGPU device keeps the process alive; exiting at once would cut off output
 * still queued for a pipe (`fiberc plan --json | ...` lost all but the first 64 KiB).
 */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => exitAfterFlush(code),
    (e: unknown) => {
      process.stderr.write(`fiberc: internal error (a bug in fiberc, please report it):\n${e instanceof Error ? e.stack : String(e)}\n`);
      exitAfterFlush(70);
    },
  );
}
