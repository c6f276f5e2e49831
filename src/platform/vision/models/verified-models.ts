import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type OnnxSessionTuning } from '../../onnx/session-options';
import { OnnxModel } from './onnx-model';

/** A set of loaded models by role, and one call to release them all. */
export type VerifiedModels<Role extends string> = Readonly<Record<Role, OnnxModel>> & { release(): Promise<void> };

interface ManifestEntry {
  file: string;
  sha256: string;
}

/**
 * Loads `files` (role -> ONNX file name as in models/MANIFEST.json) from `modelsDir`, first checking
 * each file's sha256 against MANIFEST.json so that a service never runs a model other than the
 * published one it documents. All are loaded, or none: on any failure those already loaded are
 * released. Throws naming the file when one is missing from the manifest or the directory, or its
 * digest differs.
 */
export async function loadVerifiedModels<Role extends string>(
  modelsDir: string,
  files: Readonly<Record<Role, string>>,
  options: OnnxSessionTuning = {},
): Promise<VerifiedModels<Role>> {
  const manifest = JSON.parse(await fs.readFile(path.join(modelsDir, 'MANIFEST.json'), 'utf8')) as { models: ManifestEntry[] | Record<string, ManifestEntry> };
  const entries = Array.isArray(manifest.models) ? manifest.models : Object.values(manifest.models);
  const load = async (file: string) => {
    const entry = entries.find((e) => e.file === file || path.basename(e.file) === file);
    if (!entry) throw new Error(`models/MANIFEST.json has no entry for ${file}`);
    const full = path.join(modelsDir, file);
    const digest = createHash('sha256')
      .update(await fs.readFile(full))
      .digest('hex');
    if (digest !== entry.sha256) throw new Error(`${full} has sha256 ${digest}; MANIFEST.json says ${entry.sha256}`);
    return OnnxModel.load(full, options);
  };
  const roles = Object.keys(files) as Role[];
  const settled = await Promise.allSettled(roles.map((role) => load(files[role])));
  const loaded = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const release = async () => {
    await Promise.all(loaded.map((model) => model.release()));
  };
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await release().catch(() => undefined); // the load's own error is the one to report
    throw failed.reason;
  }
  const models = {} as Record<Role, OnnxModel>;
  roles.forEach((role, i) => {
    models[role] = loaded[i];
  });
  return Object.assign(models, { release });
}
