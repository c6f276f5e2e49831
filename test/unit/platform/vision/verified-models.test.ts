/**
 * loadVerifiedModels: the published models load under their roles; a file whose digest differs
 * from models/MANIFEST.json, or that the manifest does not list, is refused by name.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadVerifiedModels } from '../../../../src/platform/vision/models/verified-models';

const MODELS = path.resolve(__dirname, '../../../../models');

describe('loadVerifiedModels', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verified-models-'));
    await fs.copyFile(path.join(MODELS, 'MANIFEST.json'), path.join(dir, 'MANIFEST.json'));
    await fs.copyFile(path.join(MODELS, 'blazeface-front-128.onnx'), path.join(dir, 'blazeface-front-128.onnx'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads each role’s file once its sha256 matches the manifest', async () => {
    const models = await loadVerifiedModels(dir, { detector: 'blazeface-front-128.onnx' });
    try {
      expect(models.detector.inputNames).toHaveLength(1);
      expect(models.detector.outputNames.length).toBeGreaterThan(0);
    } finally {
      await models.release();
    }
  });

  it('refuses a file whose bytes differ from the published one, naming it and both digests', async () => {
    const file = path.join(dir, 'blazeface-front-128.onnx');
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await fs.writeFile(file, bytes);
    await expect(loadVerifiedModels(dir, { detector: 'blazeface-front-128.onnx' })).rejects.toThrow(
      /blazeface-front-128\.onnx has sha256 [0-9a-f]{64}; MANIFEST\.json says [0-9a-f]{64}/,
    );
  });

  it('refuses a file the manifest does not list, and one it lists that is missing', async () => {
    await fs.writeFile(path.join(dir, 'unlisted.onnx'), 'x');
    await expect(loadVerifiedModels(dir, { detector: 'blazeface-front-128.onnx', other: 'unlisted.onnx' })).rejects.toThrow(
      'models/MANIFEST.json has no entry for unlisted.onnx',
    );
    await expect(loadVerifiedModels(dir, { mesh: 'facemesh-468.onnx' })).rejects.toThrow(/ENOENT.*facemesh-468\.onnx/);
  });
});
