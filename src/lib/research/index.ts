/**
 * Public API of research jobs (issue #14): job definitions and validation, the runner, the in-process evaluator,
 * presets, the best-parameters table and Compare, auto-tune, history records and applying recommendations.
 * Recommendations themselves live in src/lib/analysis/recommendations.ts. No DOM or Node imports.
 */
export * from './types';
export {
	DEFAULT_HOLD_OUT_FRACTION,
	DEFAULT_RESEARCH_TOP_K,
	MAX_RESEARCH_TOP_K,
	DEFAULT_RESEARCH_MAX_BINS,
	defaultResearchExecution,
	strategyKey,
	presetId,
	isRiskSetting,
	rowPath,
	backtestConfigOf,
	portfolioConfigOf,
	rowJobOf,
	valuesJobOf,
	presetValuesOf,
	defaultValuesOf,
	validateResearchSpec,
	createResearchJob,
	rerunResearchJob,
	newResearchId,
	rowTrialEstimate,
	strategyOfRow
} from './spec';
export { runResearch, commonRange, sliceByTime } from './runner';
export type { RunResearchOptions } from './runner';
export { createInProcessEvaluator, evaluateRowBatch } from './evaluator';
export type { LoadableTrialEngine, LoadablePortfolioEngine } from './evaluator';
export { relativeImprovement, objectiveValue, oosCheck, rowDeflatedSharpe, rowConfidence, PERIODS_PER_YEAR } from './improvement';
export { presetValuesProblem, validatePreset, sameValues, sameValuesFor, normalizeValues, mergeBest, setPreset, stagePreset, configWithPreset, presetValuesFromConfig, MemoryPresetStore } from './presets';
export type { SetPresetOptions } from './presets';
export { bestParamsTable, applyRowBest, compareParameterSets, createInProcessFullRunner } from './table';
export type { FullRunner, FullRunResult } from './table';
export { planAutoTune, applyAutoTune, DEFAULT_MIN_IMPROVEMENT } from './auto-tune';
export { historyRecordOf } from './history';
export { applyRecommendation, stageRecommendation } from './recommend';
export type { StagedRecommendation } from './recommend';
export { formatFigure, formatParamValue, formatPresetValues, stepDecimals } from './format';
