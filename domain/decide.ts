// The one pure entry to the domain: a command, the states it needs, and the context → events per stream.
import type { Command, CommandOf, CommandType } from './commands.js';
import type { Violation } from './events.js';
import { Guard } from './guard.js';
import { ruleInForce } from './rules.js';
import { streams } from './streams.js';
import * as account from './deciders/account.js';
import * as finding from './deciders/finding.js';
import * as loan from './deciders/loan.js';
import * as registry from './deciders/registry.js';
import * as spending from './deciders/spending.js';
import type { Emit, Handler, Handlers, View } from './deciders/types.js';

export type { Emit, View };

export const handlers: Handlers = {
  RegisterArea: registry.registerArea,
  RegisterFundSource: registry.registerFundSource,
  SetRuleParameters: registry.setRuleParameters,
  SealPeriod: registry.sealPeriod,
  RegisterHousehold: registry.registerHousehold,
  ChangeHouseholdStatus: registry.changeHouseholdStatus,
  AddHouseholdMember: registry.addHouseholdMember,
  RecordDeath: registry.recordDeath,
  RegisterVillageOfficial: registry.registerVillageOfficial,
  DeclareRelative: registry.declareRelative,
  RegisterProject: registry.registerProject,
  AcceptProject: registry.acceptProject,
  RegisterProgramme: registry.registerProgramme,
  ApproveIntegrationPlan: spending.approveIntegrationPlan,
  AmendIntegrationPlan: spending.amendIntegrationPlan,
  RecordAppropriation: account.recordAppropriation,
  AllocateFunds: account.allocateFunds,
  SendTransfer: account.sendTransfer,
  ReceiveTransfer: account.receiveTransfer,
  IntegrateFunds: spending.integrateFunds,
  MakePayment: spending.makePayment,
  ReverseEntry: account.reverseEntry,
  IssueMicroLoan: loan.issueMicroLoan,
  RecordLoanRepayment: loan.recordLoanRepayment,
  RecordLoanDefault: loan.recordLoanDefault,
  FlagLoanMisuse: loan.flagLoanMisuse,
  RecordInterestAccrual: loan.recordInterestAccrual,
  PayInterestSubsidy: loan.payInterestSubsidy,
  ResolveFinding: finding.resolveFinding,
  RecordBudgetRevenue: registry.recordBudgetRevenue,
};

export function handlerFor<T extends CommandType>(type: T): Handler<T> {
  return handlers[type] as Handler<T>;
}

/** Every command reads the rules and the sealed periods in force on its effective date. */
export const ALWAYS_READ = [streams.rules, streams.seals];

export interface Decision {
  emits: Emit[];
  ruleVersion: number;
  violations: Violation[];
}

/** Every date a command writes about: its effective date, and the dates it sets (a rule's start, a status change…). */
function datesAffected(command: Command): string[] {
  const dates = new Set([command.effectiveDate]);
  // A subsidy or accrual window is not a posting date: interest of a sealed year may be paid later.
  for (const key of ['effectiveFrom', 'on', 'issuedOn', 'registeredOn', 'acceptedOn'] as const) {
    const value = (command as Record<string, unknown>)[key];
    if (typeof value === 'string') dates.add(value);
  }
  return [...dates];
}

export function decideCommand(command: Command, view: View, mode: 'live' | 'historical'): Decision {
  const guard = new Guard(mode);
  const date = command.effectiveDate;
  if (command.type !== 'SealPeriod') {
    const seals = view.get(streams.seals, 'seals').seals;
    for (const day of datesAffected(command)) {
      const seal = seals.find((s) => s.from <= day && day <= s.to);
      guard.control(seal === undefined, 'period_sealed', () => `${day} lies in the period ${seal?.from} to ${seal?.to} that auditors sealed (${seal?.sealId})`, { sealId: seal?.sealId });
    }
  }
  const rules = ruleInForce(view.get(streams.rules, 'rules').versions, date);
  const handler = handlerFor(command.type) as Handler<CommandType>;
  const emits = handler.decide(command as CommandOf<CommandType>, view, { guard, rules: rules.parameters, mode });
  return { emits, ruleVersion: rules.version, violations: guard.violations };
}
