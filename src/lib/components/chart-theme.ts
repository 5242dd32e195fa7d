/**
 * The app's dark lightweight-charts theme, shared by every chart component (one place for colours, scales and the
 * UTC time label). Chart glue only: no data logic here.
 */
import { ColorType, type DeepPartial, type Time, type TimeChartOptions } from 'lightweight-charts';

/** UTC label of a chart time (lightweight-charts times are seconds): `2025-07-25 17:00`. */
export function utcTimeLabel(t: Time): string {
	return new Date((t as number) * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Base options of every chart: dark background, grid, right price scale, UTC time axis, auto size. */
export function darkChartOptions(): DeepPartial<TimeChartOptions> {
	return {
		autoSize: true,
		layout: {
			background: { type: ColorType.Solid, color: '#0b0e13' },
			textColor: '#9aa5b4',
			fontSize: 11,
			attributionLogo: false,
			panes: { separatorColor: '#262e3b', separatorHoverColor: '#35404f', enableResize: true }
		},
		grid: { vertLines: { color: '#161b23' }, horzLines: { color: '#161b23' } },
		rightPriceScale: { borderColor: '#262e3b', minimumWidth: 72 },
		timeScale: { borderColor: '#262e3b', timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 },
		localization: { timeFormatter: utcTimeLabel }
	};
}
