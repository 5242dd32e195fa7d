/**
 * The backtest command as a function: parse, run, print, write; returns the exit status instead of exiting,
 * so tests can call it in-process with captured output.
 */
import { writeFileSync } from 'node:fs';
import { ValidationError } from '../lib/core/errors';
import { helpText, parseCliArgs, type CliCommand } from './args';
import { formatCliError, formatSummary, resultJsonText } from './output';
import { runCliBacktest } from './run';
import { formatPortfolioSummary, isPortfolioArgv, parsePortfolioArgs, portfolioJsonText, runCliPortfolio } from './portfolio';

/** Where the command writes. */
export interface CliIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Exit statuses: success, bad data or runtime error, bad arguments. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/**
 * Run the backtest command.
 * @param argv - arguments after the script name.
 * @param io - output sinks (default: process stdout/stderr).
 * @returns 0 on success, 2 for bad arguments (reported before the file is read), 1 for a bad data file,
 *   an impossible window, a missing WASM build or any other runtime error. Every error is one line on stderr
 *   starting with `error: `; warnings start with `warning: `.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
	if (isPortfolioArgv(argv) && !argv.includes('--help') && !argv.includes('-h')) return portfolioMain(argv, io);
	let command: CliCommand;
	try {
		command = parseCliArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? EXIT.usage : EXIT.failure;
	}
	if (command.kind === 'help') {
		io.stdout(helpText());
		return EXIT.ok;
	}
	const { options } = command;
	try {
		const report = await runCliBacktest(options);
		for (const w of report.warnings) io.stderr(`warning: ${formatCliError(w)}\n`);
		if (options.outPath === '-') {
			io.stdout(resultJsonText(report));
		} else {
			io.stdout(formatSummary(report));
			if (options.outPath !== undefined) {
				try {
					writeFileSync(options.outPath, resultJsonText(report));
				} catch (e) {
					throw new Error(`cannot write --out file '${options.outPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
				}
				io.stdout(`Wrote ${options.outPath}\n`);
			}
		}
		return EXIT.ok;
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return EXIT.failure;
	}
}

/** The portfolio form (several --data, --max-positions, --breaker, ...): same exit statuses and output rules. */
async function portfolioMain(argv: readonly string[], io: CliIo): Promise<number> {
	let options;
	try {
		options = parsePortfolioArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? EXIT.usage : EXIT.failure;
	}
	try {
		const report = await runCliPortfolio(options);
		for (const w of report.warnings) io.stderr(`warning: ${w}\n`);
		if (options.outPath === '-') io.stdout(portfolioJsonText(report));
		else {
			io.stdout(formatPortfolioSummary(report));
			if (options.outPath !== undefined) {
				try {
					writeFileSync(options.outPath, portfolioJsonText(report));
				} catch (e) {
					throw new Error(`cannot write --out file '${options.outPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
				}
				io.stdout(`Wrote ${options.outPath}\n`);
			}
		}
		return EXIT.ok;
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return EXIT.failure;
	}
}

const processIo: CliIo = {
	stdout: (text) => void process.stdout.write(text),
	stderr: (text) => void process.stderr.write(text)
};
