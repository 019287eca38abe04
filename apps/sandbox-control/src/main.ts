import { runService } from '@swe-sim/service-runtime';
import { sandboxConfigSchema } from './config';
import { SandboxModule } from './sandbox.module';

runService({ service: 'sandbox-control', defaultPort: 3003, imports: [SandboxModule], configSchema: sandboxConfigSchema });
