import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { projectFilePathSchema, sha256Schema, slugIdSchema, stackSchema } from './common';

export const projectStream = (projectId: string) => `project-${projectId}`;

/** A file of the project as given by the user; its bytes are in the blob table. */
export const projectFileSchema = z.object({ path: projectFilePathSchema, hash: sha256Schema, size: z.number().int().nonnegative() }).strict();

/** The tests the finished software must pass; they decide whether a feature is done. */
export const acceptanceSuiteSchema = z
  .object({
    files: z.array(projectFileSchema).min(1).max(200),
    /** Run in the repository root; a feature's `tests` are appended as arguments (e.g. pytest node ids). */
    command: z.string().min(1).max(1000),
  })
  .strict();

export const backlogItemSchema = z
  .object({
    featureId: slugIdSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(10_000),
    acceptanceCriteria: z.array(z.string().min(1).max(1000)).max(50),
    /** The acceptance tests that cover this feature (arguments to the suite's command). */
    tests: z.array(z.string().min(1).max(500)).min(1).max(100),
    /** Skills the feature needs, e.g. python, testing, algorithms. */
    skills: z.array(z.string().min(1).max(50)).max(20).default([]),
  })
  .strict();
export type BacklogItem = z.infer<typeof backlogItemSchema>;

/** Where a project's backlog comes from: given by the user, or decomposed by the product-manager agent. */
export const backlogSourceSchema = z.enum(['user', 'decomposition']);
export type BacklogSource = z.infer<typeof backlogSourceSchema>;

export const projectCreatedDataSchema = z
  .object({
    projectId: z.string().uuid(),
    name: z.string().min(1).max(200),
    description: z.string().max(20_000),
    goals: z.array(z.string().min(1).max(2_000)).max(100),
    stack: stackSchema,
    acceptance: acceptanceSuiteSchema,
    /** Starting files of the repository besides the acceptance tests (may be empty). */
    scaffold: z.array(projectFileSchema).max(500).default([]),
    /**
     * user: the backlog is given here (at least one feature). decomposition: the backlog is empty
     * here and a product-manager agent derives it (BacklogDecomposed or BacklogDecompositionFailed
     * in stream backlog-<projectId>); until then the project cannot run simulations.
     */
    backlogSource: backlogSourceSchema.default('user'),
    backlog: z.array(backlogItemSchema).max(200),
  })
  .strict();

const uniqueFeatureIds = (p: { backlog: { featureId: string }[] }) => new Set(p.backlog.map((b) => b.featureId)).size === p.backlog.length;

export const ProjectCreated = defineEvent({
  type: 'ProjectCreated',
  // v2 added backlogSource (v1 projects always carried a user-given backlog).
  version: 2,
  schema: projectCreatedDataSchema
    .refine(uniqueFeatureIds, { message: 'featureIds must be unique', path: ['backlog'] })
    .refine((p) => (p.backlogSource === 'user' ? p.backlog.length > 0 : p.backlog.length === 0), {
      message: 'a user-given backlog needs at least one feature; a backlog left to decomposition must be empty',
      path: ['backlog'],
    }),
  upcasters: { 1: (d: Record<string, unknown>) => ({ ...d, backlogSource: 'user' }) },
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
