// What each kind of ledger looks like: its columns (English key, Chinese headers, type, whether required)
// and how a row becomes commands. docs/import-format.md describes the same table for people.
import type { CommandType } from '../../domain/commands.js';
import { enumParser, parseAccount, parseDate, parseDateTime, parseFen, parseYear, parseYuan, PARTIES, PAYEE_KINDS, PURPOSES, type CellResult } from './values.js';

export type Value = string | number;
export type Values = Partial<Record<string, Value>>;

export interface ColumnSpec {
  key: string;
  aliases: readonly string[];
  required?: boolean;
  /** Turns the trimmed cell into the value the command takes; absent: the text as it is. */
  parse?: (raw: string) => CellResult<Value>;
  /** The value lands under this key instead (金额(元) and 金额(分) both give amountFen). */
  as?: string;
  type: string;
  doc: string;
  example: string;
}

/** A command a row asks for, before the import gives it an id. */
export type PlannedCommand = { type: CommandType } & Record<string, unknown>;

export interface KindSpec {
  name: string;
  commandTypes: readonly CommandType[];
  description: string;
  columns: readonly ColumnSpec[];
  /** Each group needs one of its columns in the header, and a value in one of them on each row. */
  oneOf: readonly (readonly string[])[];
  /** Columns that only this kind has: their presence names the kind when --kind is not given. */
  signature: readonly string[];
  build(v: Values, derivedId: (prefix: string) => string): PlannedCommand[];
  /** Which column a command field, or a refusal code, is about: for pointing a row error at a cell. */
  blame: Record<string, readonly string[]>;
}

const text = (key: string, aliases: string[], doc: string, example: string, required = false): ColumnSpec => ({ key, aliases, required, type: 'text', doc, example });
const date = (key: string, aliases: string[], doc: string, required = false): ColumnSpec => ({ key, aliases, required, type: 'date', parse: parseDate, doc, example: '2020-06-15' });
const account = (key: string, aliases: string[], doc: string, required = false): ColumnSpec => ({ key, aliases, required, type: 'account', parse: parseAccount, doc, example: 'village:620423101001' });
const yuan: ColumnSpec = { key: 'amount', as: 'amountFen', aliases: ['金额(元)', '金额', '发放金额(元)', '支付金额(元)', '补助金额(元)', '拨付金额(元)', '下达金额(元)', '分配金额(元)', '金额元', 'amountyuan', 'yuan'], type: 'yuan', parse: parseYuan, doc: 'amount in yuan, at most two decimals (see "Amounts")', example: '1,234.50' };
const fen: ColumnSpec = { key: 'amountFen', aliases: ['金额(分)', 'fen'], type: 'fen', parse: parseFen, doc: 'amount in whole fen, instead of amount', example: '123450' };
const purpose: ColumnSpec = { key: 'purpose', aliases: ['用途', '资金用途', '支出用途'], required: true, type: 'purpose', parse: enumParser(PURPOSES), doc: 'what the money is for: a purpose code or its Chinese name (see "Purposes")', example: '到户补助' };

/** Columns every kind takes: the envelope of a command. */
const ENVELOPE: readonly ColumnSpec[] = [
  { key: 'id', aliases: ['指令编号', 'commandid'], type: 'uuid', doc: 'the command id (a lowercase UUID); normally left out and derived from the batch and row', example: '0190c5e4-…' },
  text('documentNo', ['文号', '文件号', '发文字号', '文件文号'], 'the document behind the row (文号)', '庄财农〔2020〕12号'),
  text('verifier', ['审核人', '复核人', '核查人'], 'who checked the row (谁核查谁负责)', '李审核'),
  { key: 'recordedAt', aliases: ['登记时间', '录入时间', '记账时间', '记账日期', '录入日期', 'recordedat'], type: 'datetime', parse: parseDateTime, doc: 'historical imports only: when the ledger recorded the row; without an offset, China Standard Time', example: '2020-06-20 09:30' },
];

const EFFECTIVE = ['日期', '业务日期', '发生日期', 'effectivedate', 'date'];

const payments: KindSpec = {
  name: 'payments',
  commandTypes: ['MakePayment'],
  description: 'payments out of the system (支付/兑付): to households, household members, contractors, cooperatives or banks',
  columns: [
    date('effectiveDate', ['支付日期', '发放日期', '付款日期', '兑付日期', ...EFFECTIVE], 'the day the money was paid', true),
    text('paymentId', ['支付编号', '付款编号', '发放编号', '支付单号', 'paymentid'], 'the payment\'s own id; derived from the batch and row when left out', 'ZF-2020-000123'),
    account('fromAccount', ['付款账户', '支出账户', '资金账户', 'fromaccount', 'account'], 'the account paying: village:{code}, project:{id}, …, or a bare village code'),
    { key: 'villageCode', aliases: ['村代码', '村编码', '村级代码', '行政区划代码', '区划代码', 'villagecode'], type: 'area code', doc: 'instead of fromAccount: the village whose account pays', example: '620423101001' },
    { key: 'payeeKind', aliases: ['收款人类型', '收款方类型', 'payeekind'], type: 'payee kind', parse: enumParser(PAYEE_KINDS), doc: 'household, person, contractor, cooperative or bank (农户/个人/承包商/合作社/银行); defaults to person when 人员编号 is given, else household', example: '农户' },
    text('householdId', ['户编号', '户号', '农户编号', '家庭编号', 'householdid'], 'the registered household paid (or the household of the person paid)', 'HH-000123'),
    text('personId', ['人员编号', '个人编号', '成员编号', 'personid'], 'the household member paid (payee kind person)', 'P-000123-1'),
    text('payeeId', ['收款人编号', '收款方编号', '收款单位编号', 'payeeid'], 'the payee\'s id when it is a contractor, cooperative or bank', 'C-0042'),
    text('payeeName', ['姓名', '收款人', '收款人姓名', '户主姓名', '收款方', '收款单位', '户主', 'payeename', 'name'], 'the payee\'s name as on the list', '张三'),
    text('payeeIdNumber', ['身份证号', '身份证号码', '证件号码', '公民身份号码', '收款人身份证号', 'payeeidnumber', 'idnumber'], 'the payee\'s resident ID number (18 characters)', '620423198001010011'),
    yuan,
    fen,
    text('voucherNo', ['凭证号', '凭证编号', '记账凭证号', '凭证字号', 'voucherno', 'voucher'], 'the voucher number (凭证号)', '记-2020-06-0123', true),
    text('bankRef', ['银行流水号', '交易流水号', '银行交易号', 'bankref'], 'the bank\'s reference for the transfer (一卡通)', '6228480012345678'),
    purpose,
    text('programmeId', ['补贴项目编号', '政策编号', '帮扶政策编号', 'programmeid', 'programid'], 'the benefit programme paid, registered beforehand', 'edu-aid'),
    text('period', ['期间', '发放期间', '所属期', '所属期间', 'period'], 'the programme period paid for', '2020-S1'),
    text('projectId', ['项目编号', 'projectid'], 'the project paid for', 'PRJ-2020-07'),
    text('stage', ['阶段', '支付阶段', 'stage'], 'the project stage paid', 'final'),
    text('loanId', ['贷款编号', 'loanid'], 'the micro-loan a risk-compensation payment is for', 'L-000123'),
    ...ENVELOPE,
  ],
  oneOf: [['fromAccount', 'villageCode'], ['amount', 'amountFen'], ['householdId', 'personId', 'payeeId']],
  signature: ['voucherNo', 'paymentId', 'payeeName', 'payeeIdNumber', 'bankRef'],
  build(v, derivedId) {
    const kind = v.payeeKind ?? (v.personId !== undefined ? 'person' : v.householdId !== undefined ? 'household' : undefined);
    const payeeId = kind === 'household' ? (v.householdId ?? v.payeeId) : kind === 'person' ? (v.personId ?? v.payeeId) : v.payeeId;
    const payee = {
      kind,
      id: payeeId,
      ...(v.payeeName !== undefined ? { name: v.payeeName } : {}),
      ...(v.payeeIdNumber !== undefined ? { idNumber: v.payeeIdNumber } : {}),
      ...(kind === 'person' && v.householdId !== undefined ? { householdId: v.householdId } : {}),
    };
    const fromAccount = v.fromAccount ?? (v.villageCode !== undefined ? `village:${v.villageCode}` : undefined);
    return [{ type: 'MakePayment', ...pick(v, ['effectiveDate', 'documentNo', 'verifier', 'amountFen', 'voucherNo', 'bankRef', 'purpose', 'programmeId', 'period', 'projectId', 'stage', 'loanId']), paymentId: v.paymentId ?? derivedId('pay'), fromAccount, payee } as PlannedCommand];
  },
  blame: {
    fromAccount: ['fromAccount', 'villageCode'],
    'payee.kind': ['payeeKind', 'householdId', 'personId', 'payeeId'],
    'payee.id': ['householdId', 'personId', 'payeeId'],
    'payee.name': ['payeeName'],
    'payee.idNumber': ['payeeIdNumber'],
    'payee.householdId': ['householdId'],
    amountFen: ['amount', 'amountFen'],
    unknown_account: ['fromAccount', 'villageCode'],
    account_area_mismatch: ['fromAccount', 'villageCode'],
    forbidden_area: ['fromAccount', 'villageCode'],
    unknown_household: ['householdId'],
    unknown_person: ['personId'],
    payee_: ['householdId', 'personId', 'payeeId'],
    amount_: ['amount', 'amountFen'],
    lot_not_in_account: ['amount', 'amountFen'],
    purpose_: ['purpose'],
    unknown_programme: ['programmeId'],
    unknown_project: ['projectId'],
    final_payment_before_acceptance: ['stage'],
    unknown_loan: ['loanId'],
    loan_not_active: ['loanId'],
  },
};

const households: KindSpec = {
  name: 'households',
  commandTypes: ['RegisterHousehold'],
  description: 'registered households (建档立卡户), one row per household',
  columns: [
    text('householdId', ['户编号', '户号', '农户编号', '家庭编号', 'householdid'], 'the household\'s id', 'HH-000123', true),
    { key: 'villageCode', aliases: ['村代码', '村编码', '村级代码', '行政区划代码', '区划代码', 'villagecode'], required: true, type: 'area code', doc: 'the village (12 digits) the household is registered in', example: '620423101001' },
    text('headName', ['户主姓名', '户主', '姓名', 'headname', 'name'], 'the head of household\'s name', '张三', true),
    text('headIdNumber', ['户主身份证号', '身份证号', '身份证号码', '证件号码', '公民身份号码', 'headidnumber', 'idnumber'], 'the head\'s resident ID number', '620423198001010011', true),
    date('registeredOn', ['识别日期', '建档立卡日期', '纳入日期', '登记日期', 'registeredon'], 'the day the household entered the registry', true),
    text('headPersonId', ['户主人员编号', '人员编号', 'headpersonid', 'personid'], 'when given, the head is also registered as a member (relation 户主) under this person id', 'P-000123-1'),
    date('effectiveDate', [...EFFECTIVE], 'the posting date; defaults to registeredOn'),
    ...ENVELOPE,
  ],
  oneOf: [],
  signature: ['registeredOn', 'headName', 'headIdNumber', 'headPersonId'],
  build(v) {
    const members = v.headPersonId !== undefined ? [{ personId: v.headPersonId, name: v.headName, idNumber: v.headIdNumber, relation: '户主' }] : [];
    return [{ type: 'RegisterHousehold', ...pick(v, ['householdId', 'villageCode', 'headName', 'headIdNumber', 'registeredOn', 'documentNo', 'verifier']), effectiveDate: v.effectiveDate ?? v.registeredOn, members } as PlannedCommand];
  },
  blame: { 'members.0.personId': ['headPersonId'], 'members.0.name': ['headName'], 'members.0.idNumber': ['headIdNumber'], household_already_registered: ['householdId'], unknown_area: ['villageCode'], forbidden_area: ['villageCode'] },
};

const persons: KindSpec = {
  name: 'persons',
  commandTypes: ['AddHouseholdMember'],
  description: 'members of registered households (家庭成员), one row per person',
  columns: [
    text('householdId', ['户编号', '户号', '农户编号', '家庭编号', 'householdid'], 'the registered household', 'HH-000123', true),
    text('personId', ['人员编号', '个人编号', '成员编号', 'personid'], 'the person\'s id', 'P-000123-2', true),
    text('name', ['姓名', '成员姓名', 'name'], 'the person\'s name', '李四', true),
    text('idNumber', ['身份证号', '身份证号码', '证件号码', '公民身份号码', 'idnumber'], 'the person\'s resident ID number', '620423198203030022', true),
    text('relation', ['与户主关系', '关系', '家庭关系', 'relation'], 'relation to the head of household', '配偶', true),
    date('effectiveDate', ['加入日期', '登记日期', ...EFFECTIVE], 'the day the person joined the household record', true),
    ...ENVELOPE,
  ],
  oneOf: [],
  signature: ['relation'],
  build(v) {
    return [{ type: 'AddHouseholdMember', ...pick(v, ['effectiveDate', 'householdId', 'personId', 'name', 'idNumber', 'relation', 'documentNo', 'verifier']) } as PlannedCommand];
  },
  blame: { unknown_household: ['householdId'], forbidden_area: ['householdId'], person_already_registered: ['personId'], unknown_person: ['personId'] },
};

const appropriations: KindSpec = {
  name: 'appropriations',
  commandTypes: ['RecordAppropriation'],
  description: 'money entering the county (预算下达): one row per appropriation',
  columns: [
    text('appropriationId', ['指标编号', '预算编号', '下达编号', '指标文号编号', 'appropriationid'], 'the appropriation\'s id', 'ZY-2020-01', true),
    { key: 'countyCode', aliases: ['县代码', '县编码', '县级代码', 'countycode'], required: true, type: 'area code', doc: 'the county (12 digits, ending 000000)', example: '620423000000' },
    text('sourceId', ['资金来源编号', '来源编号', '资金来源', 'sourceid'], 'the registered fund source', 'central-2020', true),
    { key: 'fiscalYear', aliases: ['年度', '资金年度', '预算年度', 'fiscalyear', 'year'], required: true, type: 'year', parse: parseYear, doc: 'the fiscal year', example: '2020' },
    purpose,
    yuan,
    fen,
    account('toAccount', ['入账账户', '收款账户', 'toaccount'], 'defaults to the county pool of the source and year; a risk or subsidy account otherwise'),
    { key: 'party', aliases: ['出资方', 'party'], type: 'party', parse: enumParser(PARTIES), doc: 'for risk-fund contributions: government, bank or donor (政府/银行/捐赠方)', example: '政府' },
    date('effectiveDate', ['下达日期', '文件日期', ...EFFECTIVE], 'the day the money was appropriated', true),
    ...ENVELOPE,
  ],
  oneOf: [['amount', 'amountFen']],
  signature: ['appropriationId', 'sourceId', 'fiscalYear', 'party'],
  build(v) {
    return [{ type: 'RecordAppropriation', ...pick(v, ['effectiveDate', 'appropriationId', 'countyCode', 'sourceId', 'fiscalYear', 'purpose', 'amountFen', 'toAccount', 'party', 'documentNo', 'verifier']) } as PlannedCommand];
  },
  blame: { amountFen: ['amount', 'amountFen'], unknown_source: ['sourceId'], unknown_area: ['countyCode'], forbidden_area: ['countyCode'], account_area_mismatch: ['toAccount', 'countyCode'], unknown_account: ['toAccount'], purpose_: ['purpose'] },
};

const allocations: KindSpec = {
  name: 'allocations',
  commandTypes: ['AllocateFunds'],
  description: 'decisions on how much goes to a township, village or project (分配)',
  columns: [
    text('allocationId', ['分配编号', '分配文号编号', 'allocationid'], 'the allocation\'s id', 'FP-2020-001', true),
    account('fromAccount', ['来源账户', '分配账户', '拨出账户', 'fromaccount'], 'the account the money is allocated from', true),
    account('toAccount', ['目标账户', '分配对象账户', '拨入账户', 'toaccount'], 'the account it is allocated to', true),
    yuan,
    fen,
    date('effectiveDate', ['分配日期', ...EFFECTIVE], 'the day of the allocation', true),
    ...ENVELOPE,
  ],
  oneOf: [['amount', 'amountFen']],
  signature: ['allocationId'],
  build(v) {
    return [{ type: 'AllocateFunds', ...pick(v, ['effectiveDate', 'allocationId', 'fromAccount', 'toAccount', 'amountFen', 'documentNo', 'verifier']) } as PlannedCommand];
  },
  blame: { amountFen: ['amount', 'amountFen'], amount_: ['amount', 'amountFen'], unknown_account: ['fromAccount'], forbidden_area: ['fromAccount'], account_area_mismatch: ['toAccount'] },
};

const transfers: KindSpec = {
  name: 'transfers',
  commandTypes: ['SendTransfer', 'ReceiveTransfer'],
  description: 'money sent from one account to another (拨付), and its receipt (到账) when the row has a 到账日期',
  columns: [
    text('transferId', ['拨付编号', '拨款编号', '拨款单号', 'transferid'], 'the transfer\'s id', 'BF-2020-0031', true),
    account('fromAccount', ['拨出账户', '付款账户', 'fromaccount'], 'the account sending', true),
    account('toAccount', ['拨入账户', '收款账户', 'toaccount'], 'the account receiving', true),
    yuan,
    fen,
    date('effectiveDate', ['拨付日期', ...EFFECTIVE], 'the day the money was sent', true),
    date('receivedOn', ['到账日期', 'receivedon'], 'when given, the receipt is recorded too, on that day'),
    ...ENVELOPE,
  ],
  oneOf: [['amount', 'amountFen']],
  signature: ['transferId', 'receivedOn'],
  build(v) {
    const base = pick(v, ['transferId', 'fromAccount', 'toAccount', 'amountFen', 'documentNo', 'verifier']);
    const send = { type: 'SendTransfer', effectiveDate: v.effectiveDate, ...base } as PlannedCommand;
    return v.receivedOn === undefined ? [send] : [send, { type: 'ReceiveTransfer', ...base, effectiveDate: v.receivedOn } as PlannedCommand];
  },
  blame: { amountFen: ['amount', 'amountFen'], amount_: ['amount', 'amountFen'], lot_not_in_account: ['amount', 'amountFen'], unknown_account: ['fromAccount'], forbidden_area: ['fromAccount'], transfer_: ['transferId'], unknown_transfer: ['transferId'] },
};

export const KINDS: readonly KindSpec[] = [payments, households, persons, appropriations, allocations, transfers];
export const KIND_NAMES = KINDS.map((k) => k.name);

export function kindNamed(name: string): KindSpec | undefined {
  return KINDS.find((k) => k.name === name);
}

function pick(v: Values, keys: string[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const key of keys) if (v[key] !== undefined) out[key] = v[key]!;
  return out;
}
