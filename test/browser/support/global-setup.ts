import { buildWeb } from '../../../scripts/build-web';
import { ensureFakeCamera } from '../../../scripts/browser/fake-camera';
import infrastructureSetup from '../../support/global-setup';
import { runScript } from '../../support/tools';

/**
 * The browser suite's needs, made once before its tests: PostgreSQL, RabbitMQ and the tests' TLS
 * (the integration project's set-up, test/support/global-setup.ts: mesh-interview.test.ts runs a
 * mesh of real processes), Debian's Chromium (installed when missing; BROWSER_EXECUTABLE), the fake
 * camera's Y4M video from the fixture photographs (FAKE_CAMERA_FILE, .cache/browser/fake-camera.y4m,
 * remade only when its recipe changes) and the web app's build (dist/web, rebuilt only when its
 * sources changed), which the mesh's gateway serves.
 */
export default async function globalSetup(): Promise<void> {
  await infrastructureSetup();
  process.env.BROWSER_EXECUTABLE ??= runScript('scripts/infra/ensure-chromium.sh', [], { timeoutMs: 600_000 });
  process.env.FAKE_CAMERA_FILE ??= await ensureFakeCamera();
  const web = await buildWeb();
  if (web.built) console.error(`[web] built ${web.dir} in ${web.ms} ms`);
}
