import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { personaRoleSchema, senioritySchema, slugIdSchema } from './common';

/**
 * Team formation (team-formation). For one simulation, in one append to stream
 * formation-<simulationId>: a TeamFormed per team (members and why each was chosen, and the
 * team's share of the backlog), a PairFormed per pair, then TeamFormationCompleted.
 */
export const formationStream = (simulationId: string) => `formation-${simulationId}`;

export const teamMemberSchema = z
  .object({
    personaId: slugIdSchema,
    name: z.string(),
    role: personaRoleSchema,
    seniority: senioritySchema,
    /** Why this persona is on this team: the needs it covers. */
    reason: z.string().min(1).max(2000),
  })
  .strict();
export type TeamMember = z.infer<typeof teamMemberSchema>;

export const TeamFormed = defineEvent({
  type: 'TeamFormed',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      teamId: slugIdSchema,
      name: z.string().min(1).max(100),
      members: z.array(teamMemberSchema).min(1),
      /** The features this team owns, and why they went to it. */
      features: z.array(z.object({ featureId: slugIdSchema, reason: z.string() }).strict()),
      /** Skills the team's features need that no member has at level 3 or more. */
      uncoveredSkills: z.array(z.string()),
    })
    .strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

export const PairFormed = defineEvent({
  type: 'PairFormed',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      teamId: slugIdSchema,
      pairId: slugIdSchema,
      /** Writes first; the navigator plans and reviews. They swap as the process says. */
      driver: slugIdSchema,
      navigator: slugIdSchema,
      reason: z.string().min(1).max(2000),
    })
    .strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

export const TeamFormationCompleted = defineEvent({
  type: 'TeamFormationCompleted',
  version: 1,
  schema: z.object({ simulationId: z.string().uuid(), teamIds: z.array(slugIdSchema).min(1) }).strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

export const TeamFormationFailed = defineEvent({
  type: 'TeamFormationFailed',
  version: 1,
  schema: z.object({ simulationId: z.string().uuid(), code: z.string(), reason: z.string() }).strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

/**
 * A member changes team between sprints because needs changed (e.g. the remaining features of one
 * team need a skill it lacks and another team can spare). A swap is two MemberMoved in one append.
 */
export const MemberMoved = defineEvent({
  type: 'MemberMoved',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      personaId: slugIdSchema,
      fromTeamId: slugIdSchema,
      toTeamId: slugIdSchema,
      /** The sprint the move takes effect in (before it starts). */
      beforeSprint: z.number().int().positive(),
      reason: z.string().min(1).max(2000),
    })
    .strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

/** A persona from the roster who was on no team joins one between sprints, because its open features need what it knows. */
export const MemberJoined = defineEvent({
  type: 'MemberJoined',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      teamId: slugIdSchema,
      member: teamMemberSchema,
      /** The sprint the member works in first. */
      beforeSprint: z.number().int().positive(),
    })
    .strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

/**
 * After a sprint, team-formation looked at what the teams still have to build and moved members
 * where that covers needs better (the MemberMoved events before it; none when nothing helps).
 * The next sprint is planned with the teams as they are now.
 */
export const TeamsReviewed = defineEvent({
  type: 'TeamsReviewed',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      beforeSprint: z.number().int().positive(),
      /** Members moved between teams, and members who joined from the roster. */
      moves: z.number().int().nonnegative(),
      joined: z.number().int().nonnegative().default(0),
      reason: z.string().max(2000),
    })
    .strict(),
  streamOf: (d) => formationStream(d.simulationId),
});

export const TEAM_EVENTS = [TeamFormed, PairFormed, TeamFormationCompleted, TeamFormationFailed, MemberMoved, MemberJoined, TeamsReviewed];
