/**
 * Public API of the optimisation layer: search spaces, objectives, worker-side batch evaluation, search methods
 * (grid, random, genetic, adaptive refinement), the streaming runner (top-K, aggregates, progress, cancel, resume),
 * result analysis (heatmaps, parameter impact, comparison) and walk-forward validation. No DOM or Node imports.
 */
export { SearchSpace, resolveAxis, MAX_AXIS_VALUES, MAX_SPACE_SIZE, EXACT_COUNT_LIMIT } from './space';
export type { Axis, AxisSpec, SearchSpaceSpec } from './space';
export {
	STATISTIC_KEYS,
	COMPOSITE_WEIGHTS,
	compositeScore,
	trialStats,
	dataSpanMs,
	calmarIsExact,
	resolveObjective,
	rankValue
} from './objective';
export type { TrialStats, StatisticKey, ObjectiveSpec, ResolvedObjective } from './objective';
export { evaluateBatch, evaluateIndex, prepareJob, preparedJob, trialConfig } from './evaluate';
export type { TrialEngine, OptimizationJob, TrialBatch, TrialResult, PreparedJob } from './evaluate';
export { createPlanner, validateMethod, evenPositions } from './methods';
export type { SearchMethod, SearchPlanner, PlannerState, PlannerProgress } from './methods';
export { TopK, ranksBefore, compareTrials } from './top-k';
export { Aggregates, DEFAULT_MAX_BINS, binOf } from './aggregates';
export type { AggregatesState, AxisAggregate, AxisBinning, PairAggregate } from './aggregates';
export { runOptimization, OptimizationError } from './runner';
export { BatchSizer } from './batch-sizer';
export type { BatchSizerOptions } from './batch-sizer';
export { packTrials, unpackTrials, packedBuffers } from './packed';
export type { PackedTrials } from './packed';
export type { OptimizationState, OptimizationProgress, OptimizationOutcome, RunOptimizationOptions } from './runner';
export { topKRows, heatmapSlice, heatmapFromResults, aggregateHeatmap, parameterImpact, compareTrialStats } from './results';
export type { TopKRow, Heatmap, HeatmapSlice, ImpactBin, ParameterImpact, ComparisonRow } from './results';
export { walkForwardWindows, runWalkForward } from './walk-forward';
export type { WalkForwardSpec, WalkForwardWindows, WalkForwardEngine, WalkForwardOptions, WalkForwardResult, WalkForwardSplit, BarRange } from './walk-forward';
export { Rng, IndexPermutation, hash32 } from './rng';
export type { RngState } from './rng';
export { neighbourIndices, alignedDailyReturns, overfittingRequest, overfittingEvidence, optimizationOverfitting, MAX_OVERFITTING_TRIALS } from './overfitting';
export type { OverfittingRequest, OverfittingEvidence, OverfittingEngine } from './overfitting';
