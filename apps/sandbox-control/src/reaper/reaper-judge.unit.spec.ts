import { ContainerView, judgeContainer, JudgeContext } from './reaper-judge';

const now = new Date('2025-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const ctx = (over: Partial<JudgeContext> = {}): JudgeContext => ({
  row: undefined,
  now,
  graceMs: 60_000,
  creating: new Set(),
  me: 'sc-1',
  startedAt: ago(10_000),
  liveOwners: new Set(['sc-1', 'sc-2']),
  ...over,
});
const box = (over: Partial<ContainerView> = {}): ContainerView => ({ sandboxId: 'sbx', owner: 'sc-1', state: 'running', createdAt: ago(120_000), ...over });
const live = { status: 'created' as const, expiresAt: new Date(now.getTime() + 60_000) };

describe('reaper judgement', () => {
  it('keeps a live sandbox recorded as created (adoption)', () => {
    expect(judgeContainer(box(), ctx({ row: live }))).toEqual({ action: 'keep' });
  });
  it('removes a container whose sandbox was released', () => {
    expect(judgeContainer(box(), ctx({ row: { ...live, status: 'destroyed' } }))).toEqual({ action: 'remove', reason: 'released' });
  });
  it('destroys a sandbox whose TTL passed, and one whose container stopped', () => {
    expect(judgeContainer(box(), ctx({ row: { ...live, expiresAt: ago(1) } }))).toEqual({ action: 'destroy', reason: 'expired' });
    expect(judgeContainer(box({ state: 'exited' }), ctx({ row: live }))).toEqual({ action: 'destroy', reason: 'lost' });
  });
  it('removes a container no row knows once past the grace period, never one being created', () => {
    expect(judgeContainer(box(), ctx())).toEqual({ action: 'remove', reason: 'unknown' });
    expect(judgeContainer(box({ createdAt: ago(1_000) }), ctx())).toEqual({ action: 'keep' });
    expect(judgeContainer(box(), ctx({ creating: new Set(['sbx']) }))).toEqual({ action: 'keep' });
  });
  it('removes pool containers left by an earlier life or a dead instance, keeps live ones', () => {
    const pooled = (owner: string, createdAt: Date) => box({ sandboxId: undefined, pool: 'k', owner, createdAt });
    expect(judgeContainer(pooled('sc-1', ago(60_000)), ctx())).toEqual({ action: 'remove', reason: 'pool-leftover' });
    expect(judgeContainer(pooled('sc-1', ago(1_000)), ctx())).toEqual({ action: 'keep' });
    expect(judgeContainer(pooled('sc-2', ago(60_000)), ctx())).toEqual({ action: 'keep' });
    expect(judgeContainer(pooled('sc-dead', ago(60_000)), ctx())).toEqual({ action: 'remove', reason: 'pool-leftover' });
  });
});
