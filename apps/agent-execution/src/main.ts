import { runService } from '@swe-sim/service-runtime';

// Agent loops and the LLM gateway arrive with their issues; the process, health and transport run now.
runService({ service: 'agent-execution', defaultPort: 3002, imports: [] });
