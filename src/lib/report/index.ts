/**
 * Public API of the report module: the self-contained HTML report of a run and its SVG chart helpers.
 */
export { HEADLINE_METRICS, describeLevel, describeSizing, monthlyReturns, reportFileName, runReportHtml, type RunReportOptions } from './html-report';
export { decimateMinMax, escapeHtml, lineChartSvg, niceTicks, type ChartLine, type ChartMarker, type LineChartOptions } from './svg-chart';
export { portfolioReportHtml, type PortfolioReportOptions } from './portfolio-report';
