import { runService } from '@swe-sim/service-runtime';
import { ContextModule } from './context/context.module';
import { agentExecutionConfigSchema } from './agent-execution.config';
import { LlmModule } from './llm/llm.module';
import { PlanningModule } from './planning/planning.module';
import { ProductModule } from './product/product.module';
import { TasksModule } from './tasks/tasks.module';

runService({ service: 'agent-execution', defaultPort: 3002, imports: [LlmModule, ContextModule, PlanningModule, ProductModule, TasksModule], configSchema: agentExecutionConfigSchema });
