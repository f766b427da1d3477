// Projects (项目库): budget, funding by source, payments by stage, acceptance. Funding is what the project's
// own account received (net of money sent back out of it); payments are every PaymentMade for the project,
// from its account or naming it from another. Funding above the budget is 交叉重复 and shown as overfunded.
import type { Lot } from '../domain/events.js';
import type { Projection, ProjectedEvent, Views } from './types.js';

type Fens = Record<string, number>;

export interface StageView {
  stage: string;
  shareBp: number;
  final: boolean;
  paidFen: number;
}

export interface ProjectView {
  view: 'project';
  projectId: string;
  villageCode: string;
  name: string;
  purpose: string;
  budgetFen: number;
  stages: StageView[];
  /** Received into the `project:{id}` account, per source and per source type. */
  fundingBySource: Fens;
  fundingBySourceType: Fens;
  paidFen: number;
  /** Payments per stage; payments that name no stage are under `unstaged`. */
  paidByStage: Fens;
  paidBySource: Fens;
  paidBySourceType: Fens;
  accepted: { on: string; passed: boolean } | null;
  /** Received minus budget, when positive: the project was funded beyond its approved budget. */
  overfundedFen: number;
}

/** A project payment remembered so that its reversal can be undone on the right project and stage. */
interface ProjectPayment {
  view: 'payment';
  projectId: string;
  stage: string;
  lots: Lot[];
  reversed: boolean;
}

export type ProjectsView = ProjectView | ProjectPayment;

export const projectKey = (projectId: string): string => `project:${projectId}`;
const paymentKey = (eventId: string): string => `payment:${eventId}`;
const UNSTAGED = 'unstaged';

function add(into: Fens, key: string, fen: number): Fens {
  const next = { ...into };
  const total = (next[key] ?? 0) + fen;
  if (total === 0) delete next[key];
  else next[key] = total;
  return next;
}

function addLots(into: Fens, lots: Lot[], keyOf: (lot: Lot) => string, sign: 1 | -1): Fens {
  return lots.reduce((acc, lot) => add(acc, keyOf(lot), sign * lot.amountFen), into);
}

const sumLots = (lots: Lot[]): number => lots.reduce((sum, lot) => sum + lot.amountFen, 0);

/** Money can reach a project before its registration only in disordered imports; it is kept, not lost. */
function startProject(projectId: string): ProjectView {
  return {
    view: 'project', projectId, villageCode: '', name: '', purpose: '', budgetFen: 0, stages: [], fundingBySource: {}, fundingBySourceType: {},
    paidFen: 0, paidByStage: {}, paidBySource: {}, paidBySourceType: {}, accepted: null, overfundedFen: 0,
  };
}

/** Derived fields are recomputed from the sums after every change, so they can never drift from them. */
function refresh(view: ProjectView): ProjectView {
  const received = Object.values(view.fundingBySource).reduce((sum, fen) => sum + fen, 0);
  return {
    ...view,
    stages: view.stages.map((stage) => ({ ...stage, paidFen: view.paidByStage[stage.stage] ?? 0 })),
    overfundedFen: Math.max(0, received - view.budgetFen),
  };
}

function change(views: Views<ProjectsView>, projectId: string, fn: (view: ProjectView) => ProjectView): void {
  const view = (views.get(projectKey(projectId)) as ProjectView | undefined) ?? startProject(projectId);
  views.put(projectKey(projectId), refresh(fn(view)));
}

/** Funding entering (1) or leaving (-1) the project's own account. */
function fund(views: Views<ProjectsView>, projectId: string, lots: Lot[], sign: 1 | -1): void {
  change(views, projectId, (view) => ({
    ...view,
    fundingBySource: addLots(view.fundingBySource, lots, (lot) => lot.sourceId, sign),
    fundingBySourceType: addLots(view.fundingBySourceType, lots, (lot) => lot.sourceType, sign),
  }));
}

function pay(views: Views<ProjectsView>, projectId: string, stage: string, lots: Lot[], sign: 1 | -1): void {
  change(views, projectId, (view) => ({
    ...view,
    paidFen: view.paidFen + sign * sumLots(lots),
    paidByStage: add(view.paidByStage, stage, sign * sumLots(lots)),
    paidBySource: addLots(view.paidBySource, lots, (lot) => lot.sourceId, sign),
    paidBySourceType: addLots(view.paidBySourceType, lots, (lot) => lot.sourceType, sign),
  }));
}

/** The project whose account a stream is, if it is one. */
function projectAccount(event: ProjectedEvent): string | undefined {
  const prefix = 'account-project:';
  return event.stream.startsWith(prefix) ? event.stream.slice(prefix.length) : undefined;
}

type Handler = (views: Views<ProjectsView>, event: ProjectedEvent) => void;

const handlers: Record<string, Handler> = {
  ProjectRegistered(views, event) {
    const d = event.data as { projectId: string; villageCode: string; name: string; purpose: string; budgetFen: number; stages: { stage: string; shareBp: number; final?: boolean }[] };
    const stages = d.stages.map((s) => ({ stage: s.stage, shareBp: s.shareBp, final: s.final ?? false, paidFen: 0 }));
    change(views, d.projectId, (view) => ({ ...view, villageCode: d.villageCode, name: d.name, purpose: d.purpose, budgetFen: d.budgetFen, stages }));
  },
  ProjectAccepted(views, event) {
    const d = event.data as { projectId: string; acceptedOn: string; passed: boolean };
    change(views, d.projectId, (view) => ({ ...view, accepted: { on: d.acceptedOn, passed: d.passed } }));
  },
  TransferReceived(views, event) {
    const projectId = projectAccount(event);
    if (projectId) fund(views, projectId, (event.data as { lots: Lot[] }).lots, 1);
  },
  TransferSent(views, event) {
    // Money sent back out of a project account no longer funds it.
    const projectId = projectAccount(event);
    if (projectId) fund(views, projectId, (event.data as { lots: Lot[] }).lots, -1);
  },
  PaymentMade(views, event) {
    const d = event.data as { projectId?: string; stage?: string; lots: Lot[] };
    const projectId = d.projectId ?? projectAccount(event);
    if (!projectId) return;
    const stage = d.stage ?? UNSTAGED;
    pay(views, projectId, stage, d.lots, 1);
    views.put(paymentKey(event.id), { view: 'payment', projectId, stage, lots: d.lots, reversed: false });
  },
  EntryReversed(views, event) {
    const d = event.data as { reversesEventId: string; reversedType: string; lots: Lot[] };
    const projectId = projectAccount(event);
    if (d.reversedType === 'TransferSent' && projectId) fund(views, projectId, d.lots, 1);
    if (d.reversedType !== 'PaymentMade') return;
    const payment = views.get(paymentKey(d.reversesEventId)) as ProjectPayment | undefined;
    // A payment is undone once, however often its reversal is (wrongly) recorded.
    if (!payment || payment.reversed) return;
    pay(views, payment.projectId, payment.stage, payment.lots, -1);
    views.put(paymentKey(d.reversesEventId), { ...payment, reversed: true });
  },
};

export const projects: Projection<ProjectsView> = {
  name: 'projects',
  version: 1,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
