import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { decodeSafetensors, readSafetensorsMetadata, writeSafetensors } from '../fiber/safetensors.js';
import type { HostTensor } from '../ir/tensor.js';

/**
 * Training checkpoints in a run folder: `step-<n>.safetensors` holds every tensor of the
 * program's state (params, optimizer moments, queues) and, as metadata, the step and the
 * run's configuration; `latest` names the newest complete one. Both are written atomically
 * (a temporary file, fsync, rename), checkpoint first, so a run killed at any moment leaves
 * `latest` naming a whole checkpoint.
 */

export interface Checkpoint {
  /** Steps taken (the next step to run is `step + 1`). */
  readonly step: number;
  readonly tensors: ReadonlyMap<string, HostTensor>;
  /** The run's configuration as it was saved. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly path: string;
}

/** Raised for a run folder whose checkpoint is missing or unreadable. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const LATEST = 'latest';

/** Writes a checkpoint and then points `latest` at it; returns its path. */
export function writeCheckpoint(dir: string, step: number, tensors: ReadonlyMap<string, HostTensor>, config: Readonly<Record<string, unknown>>): string {
  const file = `step-${String(step).padStart(7, '0')}.safetensors`;
  const path = join(dir, file);
  writeSafetensors(path, tensors, { step: String(step), config: JSON.stringify(config) });
  writeFileAtomic(join(dir, LATEST), `${file}\n`, 'writing');
  return path;
}

/** The path of the checkpoint `latest` names, or undefined when the folder has none. */
function latestPath(dir: string): string | undefined {
  const pointer = join(dir, LATEST);
  if (!existsSync(pointer)) return undefined;
  const file = readFileSync(pointer, 'utf8').trim();
  if (!/^step-\d+\.safetensors$/.test(file)) throw new CheckpointError(`${pointer}: does not name a checkpoint (got '${file.slice(0, 80)}')`);
  return join(dir, file);
}

/** The checkpoint `latest` names, or undefined when the folder has none. */
export function readLatestCheckpoint(dir: string): Checkpoint | undefined {
  const path = latestPath(dir);
  return path === undefined ? undefined : readCheckpoint(path);
}

/** The step and configuration of the checkpoint `latest` names (its header only), or undefined when the folder has none. */
export function readLatestCheckpointConfig(dir: string): Omit<Checkpoint, 'tensors'> | undefined {
  const path = latestPath(dir);
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new CheckpointError(`${path}: no such checkpoint`);
  return { ...checkpointMetadata(readSafetensorsMetadata(path), path), path };
}

/** One checkpoint file, with its step and configuration. */
export function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new CheckpointError(`${path}: no such checkpoint`);
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  return { ...checkpointMetadata(metadata, path), tensors, path };
}

function checkpointMetadata(metadata: Record<string, string>, path: string): { step: number; config: Record<string, unknown> } {
  if (metadata.step === undefined) throw new CheckpointError(`${path}: not a fiberc checkpoint (no step in its metadata)`);
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new CheckpointError(`${path}: its metadata has no step`);
  try {
    return { step, config: JSON.parse(metadata.config ?? '{}') as Record<string, unknown> };
  } catch {
    throw new CheckpointError(`${path}: its metadata's config is not JSON`);
  }
}

/**
 * The params a checkpoint's run trained: those it keeps optimizer state for (`optimizer.<kind>.<name>`),
 * not the params it only declared (an image-tower run's text tower) nor state and buffers.
 */
export function trainedParams(tensors: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  const trained = new Set([...tensors.keys()].map((n) => /^optimizer\.[^.]+\.(.+)$/.exec(n)?.[1]).filter((n) => n !== undefined));
  return new Map([...tensors].filter(([n]) => trained.has(n)));
}

/** Whether the checkpoint file at `path` is the one its folder's `latest` names. */
export function isLatestCheckpoint(path: string): boolean {
  const latest = latestPath(dirname(path));
  return latest !== undefined && resolve(latest) === resolve(path);
}

/** A checkpoint file, or a run folder's latest checkpoint. */
export function checkpointAt(path: string): Checkpoint {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const latest = readLatestCheckpoint(path);
    if (!latest) throw new CheckpointError(`${path} has no checkpoint yet`);
    return latest;
  }
  return readCheckpoint(path);
}
