import { runService } from '@swe-sim/service-runtime';

// The sandbox handlers arrive with their issue; the process, health and transport run now.
runService({ service: 'sandbox-control', defaultPort: 3003, imports: [] });
