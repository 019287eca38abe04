import { runService } from '@swe-sim/service-runtime';
import { LlmModule } from './llm/llm.module';
import { llmConfigSchema } from './llm/llm.config';

// Agent loops arrive with their issues; the process, health, transport and the LLM gateway run now.
runService({ service: 'agent-execution', defaultPort: 3002, imports: [LlmModule], configSchema: llmConfigSchema });
