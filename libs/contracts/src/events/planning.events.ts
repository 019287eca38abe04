import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { slugIdSchema, storyPointsSchema } from './common';

/**
 * Sprints and planning poker. A feature's estimation in a sprint is stream
 * poker-<simulationId>-<sprint>-<featureId>: every vote is an event; diverging estimates (max/min
 * over the configured ratio) make the outliers' rationales part of the next round's prompt, and
 * the team votes again.
 */
export const sprintStream = (simulationId: string, sprint: number) => `sprint-${simulationId}-${sprint}`;
export const pokerStream = (simulationId: string, sprint: number, featureId: string) => `poker-${simulationId}-${sprint}-${featureId}`;

/** A sprint of a simulation: what every planning event is about. */
const sprintOfSimulation = {
  simulationId: z.string().uuid(),
  sprint: z.number().int().positive(),
};

/** The feature, its team and the sprint: what most planning events are about. */
const teamFeatureInSprint = {
  ...sprintOfSimulation,
  teamId: slugIdSchema,
  featureId: slugIdSchema,
};

/** One round of a feature's poker, without its team (votes and divergences name the voters instead). */
const pokerRound = {
  ...sprintOfSimulation,
  featureId: slugIdSchema,
  round: z.number().int().positive(),
};

export const SprintPlanningStarted = defineEvent({
  type: 'SprintPlanningStarted',
  version: 1,
  schema: z
    .object({
      ...sprintOfSimulation,
      /** Per team, the features to estimate (its own share, not yet done). */
      candidates: z.array(z.object({ teamId: slugIdSchema, featureIds: z.array(slugIdSchema) }).strict()),
    })
    .strict(),
  streamOf: (d) => sprintStream(d.simulationId, d.sprint),
});

export const PlanningPokerRoundStarted = defineEvent({
  type: 'PlanningPokerRoundStarted',
  version: 1,
  schema: z
    .object({
      ...teamFeatureInSprint,
      round: z.number().int().positive(),
      voters: z.array(slugIdSchema).min(1),
    })
    .strict(),
  streamOf: (d) => pokerStream(d.simulationId, d.sprint, d.featureId),
});

export const EstimateCast = defineEvent({
  type: 'EstimateCast',
  version: 1,
  schema: z
    .object({
      ...pokerRound,
      voter: slugIdSchema,
      points: storyPointsSchema,
      rationale: z.string().max(4000),
      /** The LLM call that produced it (or a fallback when the answer was unusable). */
      llmSeq: z.number().int().nonnegative().nullable(),
      fallback: z.boolean().default(false),
    })
    .strict(),
  streamOf: (d) => pokerStream(d.simulationId, d.sprint, d.featureId),
});

export const EstimatesDiverged = defineEvent({
  type: 'EstimatesDiverged',
  version: 1,
  schema: z
    .object({
      ...pokerRound,
      min: z.number().int(),
      max: z.number().int(),
      /** The lowest and highest voters, whose reasons the team hears before voting again. */
      outliers: z.array(z.object({ voter: slugIdSchema, points: z.number().int(), rationale: z.string() }).strict()),
    })
    .strict(),
  streamOf: (d) => pokerStream(d.simulationId, d.sprint, d.featureId),
});

/** One voter's vote in one round of a feature's poker (asked for, or suspended). */
const vote = {
  ...teamFeatureInSprint,
  round: z.number().int().positive(),
  voter: slugIdSchema,
};

/** agent-execution asks itself for one vote (a request, so that votes run concurrently and durably). */
export const EstimateRequested = defineEvent({
  type: 'EstimateRequested',
  version: 1,
  schema: z.object(vote).strict(),
});

/**
 * A voter's LLM kept failing for infrastructure reasons past the bound: the vote is not cast (no
 * fallback: a down LLM is no opinion), the simulation fails resumable, and the vote is asked again
 * when it is resumed. Like a task's suspension, the infrastructure's, not a decision.
 */
export const EstimateSuspended = defineEvent({
  type: 'EstimateSuspended',
  version: 1,
  schema: z
    .object({
      ...vote,
      code: z.string().min(1).max(100),
      reason: z.string().max(4000),
      /** The simulation's resumptions so far: the vote is asked again after the next one. */
      resumptions: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => pokerStream(d.simulationId, d.sprint, d.featureId),
});

export const EstimateAgreed = defineEvent({
  type: 'EstimateAgreed',
  version: 1,
  schema: z
    .object({
      ...teamFeatureInSprint,
      points: storyPointsSchema,
      rounds: z.number().int().positive(),
      /** consensus: within the ratio; median: the last round still diverged. */
      method: z.enum(['consensus', 'median']),
    })
    .strict(),
  streamOf: (d) => pokerStream(d.simulationId, d.sprint, d.featureId),
});

export const FeatureAssigned = defineEvent({
  type: 'FeatureAssigned',
  version: 1,
  schema: z
    .object({
      ...teamFeatureInSprint,
      points: storyPointsSchema,
      /** Driver and (with pairing) navigator; reviewer when review is on. */
      driver: slugIdSchema,
      navigator: slugIdSchema.nullable(),
      reviewer: slugIdSchema.nullable(),
      reason: z.string().max(2000),
    })
    .strict(),
  streamOf: (d) => sprintStream(d.simulationId, d.sprint),
});

export const SprintStarted = defineEvent({
  type: 'SprintStarted',
  version: 1,
  schema: z
    .object({
      ...sprintOfSimulation,
      committed: z.array(z.object({ teamId: slugIdSchema, featureId: slugIdSchema, points: z.number().int() }).strict()),
      committedPoints: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => sprintStream(d.simulationId, d.sprint),
});

export const SprintEnded = defineEvent({
  type: 'SprintEnded',
  version: 1,
  schema: z
    .object({
      ...sprintOfSimulation,
      committedPoints: z.number().int().nonnegative(),
      deliveredPoints: z.number().int().nonnegative(),
      /** Points delivered in this sprint. */
      velocity: z.number().int().nonnegative(),
      done: z.array(slugIdSchema),
      carriedOver: z.array(slugIdSchema),
      /** Every feature done so far, this sprint and before. */
      doneSoFar: z.array(slugIdSchema),
    })
    .strict(),
  streamOf: (d) => sprintStream(d.simulationId, d.sprint),
});

export const PLANNING_EVENTS = [
  SprintPlanningStarted,
  PlanningPokerRoundStarted,
  EstimateRequested,
  EstimateSuspended,
  EstimateCast,
  EstimatesDiverged,
  EstimateAgreed,
  FeatureAssigned,
  SprintStarted,
  SprintEnded,
];
