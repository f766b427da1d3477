// Reading an import file into rows of text cells: CSV (UTF-8, UTF-16 with a BOM, or GBK/GB18030 as Excel
// on a Chinese Windows saves it), the first (or a named) sheet of an XLSX workbook, or JSON Lines.
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { UNREADABLE } from './values.js';

export type Format = 'csv' | 'xlsx' | 'jsonl';
export const FORMATS: readonly Format[] = ['csv', 'xlsx', 'jsonl'];

/** A file the import cannot read at all: answered 400 over HTTP, before any row is looked at. */
export class ImportFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export interface SheetRow {
  /** The row as the user sees it: the line in a CSV or JSONL file, the row number in a sheet. */
  row: number;
  cells: string[];
}

export type ReadFile =
  | { format: 'csv' | 'xlsx'; encoding?: string; rows: SheetRow[] }
  | { format: 'jsonl'; encoding: string; lines: { row: number; value: unknown; error?: string }[] };

export async function readImportFile(bytes: Buffer, options: { format?: Format; sheet?: string } = {}): Promise<ReadFile> {
  if (bytes.length === 0) throw new ImportFileError('file_empty', 'the file is empty');
  const format = options.format ?? sniffFormat(bytes);
  if (format === 'xlsx') return { format, rows: await readXlsx(bytes, options.sheet) };
  if (options.sheet !== undefined) throw new ImportFileError('sheet_not_applicable', 'a sheet is named, but the file is not an XLSX workbook');
  const { text, encoding } = decodeText(bytes);
  if (format === 'jsonl') return { format, encoding, lines: readJsonLines(text) };
  return { format, encoding, rows: readCsv(text) };
}

/** XLSX is a zip (PK…); the old binary .xls is refused; text starting with { is JSON Lines; the rest CSV. */
export function sniffFormat(bytes: Buffer): Format {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new ImportFileError('xls_not_supported', 'this is an old Excel .xls workbook; save it as .xlsx (Excel 2007 or later) or as CSV');
  }
  const head = bytes.subarray(0, 64).toString('latin1').replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').trimStart();
  return head.startsWith('{') ? 'jsonl' : 'csv';
}

/** UTF-8 (with or without BOM), UTF-16 with a BOM, or else GB18030 (which reads GBK and GB2312). */
export function decodeText(bytes: Buffer): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: strict('utf-8', bytes.subarray(3)), encoding: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: strict('utf-16le', bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: strict('utf-16be', bytes.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Excel on a Chinese Windows saves "CSV (逗号分隔)" in the ANSI code page, GBK: the usual case in bureaus.
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(bytes), encoding: 'gb18030' };
  } catch {
    throw new ImportFileError('unsupported_encoding', 'the file is neither UTF-8 nor GBK/GB18030 text; save it as "CSV UTF-8" or as .xlsx');
  }
}

function strict(encoding: string, bytes: Buffer): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new ImportFileError('unsupported_encoding', `the file starts with a ${encoding} byte-order mark but is not valid ${encoding}`);
  }
}

/** The delimiter used most in the first line, outside quotes: a comma, a tab (Excel's Unicode text) or a semicolon. */
function sniffDelimiter(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  const counts = [',', '\t', ';'].map((d) => [d, first.split(d).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best![1] > 0 ? best![0] : ',';
}

function readCsv(text: string): SheetRow[] {
  const delimiter = sniffDelimiter(text);
  // Without a quote anywhere, RFC 4180 leaves nothing to interpret: every line is a record and every delimiter
  // separates cells. Splitting is then exact, and five times faster than the parser on a 100,000-line list.
  if (!text.includes('"')) {
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.map((line, i) => ({ row: i + 1, cells: line.split(delimiter) }));
  }
  const parse = <T>(info: boolean): T => {
    try {
      return parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: false, info, bom: true }) as unknown as T;
    } catch (error) {
      if (error instanceof CsvError) throw new ImportFileError('csv_malformed', `the CSV cannot be read: ${error.message}`);
      throw error;
    }
  };
  // One record per line, the usual case, numbers rows by position; a quoted cell spanning lines needs the
  // parser's line count, which costs a fifth of the parse, so only then is it asked for.
  const records = parse<string[][]>(false);
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (records.length === lines) return records.map((cells, i) => ({ row: i + 1, cells }));
  return parse<{ record: string[]; info: { lines: number } }[]>(true).map(({ record, info }) => ({ row: info.lines, cells: record }));
}

function readJsonLines(text: string): { row: number; value: unknown; error?: string }[] {
  const out: { row: number; value: unknown; error?: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push({ row: i + 1, value: JSON.parse(line) });
    } catch (error) {
      out.push({ row: i + 1, value: undefined, error: `not JSON: ${(error as Error).message}` });
    }
  }
  return out;
}

async function readXlsx(bytes: Buffer, sheet: string | undefined): Promise<SheetRow[]> {
  // Loaded on demand: exceljs takes a third of a second to load, which a CSV import need not pay.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new ImportFileError('xlsx_unreadable', `the workbook cannot be read: ${(error as Error).message}`);
  }
  const worksheet = sheet === undefined ? workbook.worksheets[0] : workbook.getWorksheet(sheet);
  if (!worksheet) {
    const names = workbook.worksheets.map((w) => w.name);
    throw new ImportFileError('sheet_not_found', sheet === undefined ? 'the workbook has no sheet' : `no sheet named ${sheet}; the workbook has ${names.join(', ')}`);
  }
  const rows: SheetRow[] = [];
  try {
    worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      rows.push({ row: rowNumber, cells });
    });
  } catch (error) {
    throw new ImportFileError('xlsx_unreadable', `the sheet ${worksheet.name} cannot be read: ${(error as Error).message}`);
  }
  return rows;
}

/** An XLSX cell as text. A number is written the shortest way that reads back as the same double. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // A long ID number typed into a number cell has already lost its last digits inside Excel.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return `${UNREADABLE}the cell holds the number ${value}, which Excel keeps to 15 significant digits only; format the column as text and type it again`;
    return String(value);
  }
  if (value instanceof Date) {
    // Excel stores the wall-clock reading; exceljs hands it over as that reading in UTC.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof value === 'object') {
    const cell = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; formula?: string; sharedFormula?: string; error?: string };
    if (cell.richText) return cell.richText.map((r) => r.text).join('');
    if (cell.error !== undefined) return `${UNREADABLE}the cell holds the error ${cell.error}`;
    if (cell.formula !== undefined || cell.sharedFormula !== undefined) {
      return cell.result === undefined ? `${UNREADABLE}the cell holds a formula whose result was not saved; open and save the file in Excel` : cellText(cell.result);
    }
    if (cell.text !== undefined) return cellText(cell.text);
  }
  return `${UNREADABLE}the cell holds a value that is not text, a number or a date`;
}
