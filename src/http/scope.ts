// Which area a command acts in, for a finance key's area scope: read from the command's own fields where it
// names an area or an account, otherwise looked up from the stream it concerns (a household's village, a
// loan's, a project's, a plan's county). Commands with no area (a fund source, a programme, rule parameters)
// return null: no area to check.
import type { Command } from '../../domain/commands.js';
import type { HouseholdState, LoanState, OfficialState, PlanState, ProjectState } from '../../domain/state.js';
import { streams } from '../../domain/streams.js';
import type { CommandExecutor } from '../domain/executor.js';

type Load = CommandExecutor['load'];

async function accountArea(accountId: string, load: Load): Promise<string | null> {
  const [kind, rest = ''] = [accountId.slice(0, accountId.indexOf(':')), accountId.slice(accountId.indexOf(':') + 1)];
  if (kind === 'pool' || kind === 'township' || kind === 'village' || kind === 'subsidy' || kind === 'riskfund') return rest.slice(0, 12);
  if (kind === 'project') return ((await load(streams.project(rest))) as ProjectState).project?.villageCode ?? null;
  if (kind === 'integration') return ((await load(streams.plan(rest))) as PlanState).plan?.countyCode ?? null;
  return null;
}

const household = async (id: string, load: Load): Promise<string | null> => ((await load(streams.household(id))) as HouseholdState).household?.villageCode ?? null;
const loan = async (id: string, load: Load): Promise<string | null> => ((await load(streams.loan(id))) as LoanState).loan?.villageCode ?? null;

/** The area the command acts in, or null when it has none (or refers to something not registered: the domain refuses that). */
export async function areaOfCommand(command: Command, load: Load): Promise<string | null> {
  switch (command.type) {
    case 'RegisterArea':
      return command.code;
    case 'RegisterHousehold':
    case 'RegisterVillageOfficial':
    case 'RegisterProject':
      return command.villageCode;
    case 'ChangeHouseholdStatus':
    case 'AddHouseholdMember':
    case 'RecordDeath':
    case 'IssueMicroLoan':
      return household(command.householdId, load);
    case 'DeclareRelative':
      return ((await load(streams.official(command.officialId))) as OfficialState).official?.villageCode ?? null;
    case 'AcceptProject':
      return ((await load(streams.project(command.projectId))) as ProjectState).project?.villageCode ?? null;
    case 'ApproveIntegrationPlan':
    case 'RecordAppropriation':
    case 'RecordBudgetRevenue':
      return command.countyCode;
    case 'AmendIntegrationPlan':
      return ((await load(streams.plan(command.planId))) as PlanState).plan?.countyCode ?? null;
    case 'AllocateFunds':
    case 'SendTransfer':
    case 'IntegrateFunds':
    case 'MakePayment':
    case 'PayInterestSubsidy':
      return accountArea(command.fromAccount, load);
    case 'ReceiveTransfer':
      return accountArea(command.toAccount, load);
    case 'ReverseEntry':
      return accountArea(command.account, load);
    case 'RecordLoanRepayment':
    case 'RecordLoanDefault':
    case 'FlagLoanMisuse':
    case 'RecordInterestAccrual':
      return loan(command.loanId, load);
    case 'RegisterFundSource':
    case 'SetRuleParameters':
    case 'RegisterProgramme':
    case 'SealPeriod':
    case 'ResolveFinding':
      return null;
  }
}
