/**
 * Typed errors with messages a trader can act on. Every message says what is wrong and how to fix it.
 * `code` is stable and machine-readable; `message` is for people.
 */
export class AppError extends Error {
	readonly code: string;
	constructor(code: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/** Invalid user input: parameters, configuration, arguments. */
export class ValidationError extends AppError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('invalid_input', message, options);
	}
}

/** Candle data that cannot be used as it is (NaN, unordered, inconsistent OHLC, empty). */
export class DataError extends AppError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('invalid_data', message, options);
	}
}
