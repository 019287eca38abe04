import { z } from 'zod';

/** Ids that also name streams, branches, containers and folders: letters, digits, _ . - */
export const slugIdSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'must be 1–64 of [a-zA-Z0-9_.-], starting with a letter or digit');
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** Sampling parameters as vLLM takes them; whatever is left out takes the gateway's explicit defaults. */
export const samplingSchema = z
  .object({
    temperature: z.number().min(0).max(2),
    top_p: z.number().gt(0).max(1),
    top_k: z.number().int().min(-1),
    min_p: z.number().min(0).max(1),
    repetition_penalty: z.number().gt(0).max(2),
    presence_penalty: z.number().min(-2).max(2),
    frequency_penalty: z.number().min(-2).max(2),
    max_tokens: z.number().int().min(1).max(131_072),
    seed: z.number().int(),
  })
  .partial()
  .strict();
export type Sampling = z.infer<typeof samplingSchema>;

export const modelSettingsSchema = z.object({ model: z.string().min(1).max(200).optional(), sampling: samplingSchema.optional() }).strict();
export type ModelSettings = z.infer<typeof modelSettingsSchema>;

export const stackSchema = z.enum(['python', 'node']);
export type Stack = z.infer<typeof stackSchema>;

/** A workspace-relative file path: no absolute paths, no `..` segments. */
export const projectFilePathSchema = z
  .string()
  .min(1)
  .max(300)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), 'must be a relative path without ..');

/**
 * An agent program (POST /agent-programs): any program that speaks the OpenAI API, run in the task's
 * sandbox instead of the built-in agent loop. Its files are blobs; `command` runs under /bin/sh in
 * the feature's worktree, killed after `timeLimitMs` (docs/agent-programs.md).
 */
export const agentProgramSchema = z
  .object({
    files: z
      .array(z.object({ path: projectFilePathSchema, hash: sha256Schema, size: z.number().int().nonnegative() }).strict())
      .min(1)
      .max(200),
    command: z.string().min(1).max(10_000),
    /** The sandbox image it needs (the project's stack must be the same). */
    stack: stackSchema,
    timeLimitMs: z.number().int().min(1_000).max(3_600_000),
  })
  .strict();
export type AgentProgram = z.infer<typeof agentProgramSchema>;

export const personaRoleSchema = z.enum(['engineer', 'tester', 'tech-lead']);
export const senioritySchema = z.enum(['junior', 'mid', 'senior', 'staff']);

/** An engineer the simulation can staff: skills 1 (novice) to 5 (expert). */
export const personaSchema = z
  .object({
    personaId: slugIdSchema,
    name: z.string().min(1).max(100),
    role: personaRoleSchema,
    seniority: senioritySchema,
    skills: z.record(z.string().min(1).max(50), z.number().int().min(1).max(5)).refine((s) => Object.keys(s).length > 0, 'needs at least one skill'),
    traits: z.array(z.string().min(1).max(200)).max(20).default([]),
    /** The persona's own model and sampling, over the simulation's per-role settings. */
    llm: modelSettingsSchema.optional(),
    /** Set for an agent program: it drives its tasks instead of the built-in loop. */
    program: agentProgramSchema.optional(),
  })
  .strict();
export type Persona = z.infer<typeof personaSchema>;

export const STORY_POINTS = [1, 2, 3, 5, 8, 13, 21] as const;
export const storyPointsSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(5), z.literal(8), z.literal(13), z.literal(21)]);
export type StoryPoints = z.infer<typeof storyPointsSchema>;
