import { buildWeb } from '../../../scripts/build-web';
import { ensureFakeCamera } from '../../../scripts/browser/fake-camera';
import { runScript } from '../../support/tools';

/**
 * The browser suite's needs, made once before its tests: Debian's Chromium (installed when missing;
 * BROWSER_EXECUTABLE), the fake camera's Y4M video from the fixture photographs (FAKE_CAMERA_FILE,
 * .cache/browser/fake-camera.y4m, remade only when its recipe changes) and the web app's build
 * (dist/web, rebuilt only when its sources changed).
 */
export default async function globalSetup(): Promise<void> {
  process.env.BROWSER_EXECUTABLE ??= runScript('scripts/infra/ensure-chromium.sh', [], { timeoutMs: 600_000 });
  process.env.FAKE_CAMERA_FILE ??= await ensureFakeCamera();
  const web = await buildWeb();
  if (web.built) console.error(`[web] built ${web.dir} in ${web.ms} ms`);
}
