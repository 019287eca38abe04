import { z } from 'zod';
import { defineEvent } from '../event-definition';

export const stackSchema = z.enum(['python', 'node']);
export type Stack = z.infer<typeof stackSchema>;

export const projectStream = (projectId: string) => `project-${projectId}`;

export const ProjectCreated = defineEvent({
  type: 'ProjectCreated',
  version: 1,
  schema: z
    .object({
      projectId: z.string().uuid(),
      name: z.string().min(1).max(200),
      description: z.string().max(20_000),
      goals: z.array(z.string().min(1).max(2_000)).max(100),
      stack: stackSchema,
    })
    .strict(),
  streamOf: (d) => projectStream(d.projectId),
});

/** team-formation's reading of which skills a project needs, and why. */
export const ProjectStaffingAssessed = defineEvent({
  type: 'ProjectStaffingAssessed',
  version: 1,
  schema: z
    .object({
      projectId: z.string().uuid(),
      requiredSkills: z.array(z.object({ skill: z.string().min(1), reason: z.string() }).strict()),
    })
    .strict(),
  streamOf: (d) => `staffing-${d.projectId}`,
});
