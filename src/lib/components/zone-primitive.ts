/**
 * A lightweight-charts v5 series primitive that shades price-action zones (SEMANTICS.md "Price-action patterns") as
 * rectangles on the candle pane: from the zone's confirmation bar `c` to the bar where it stopped being active
 * (traded, skipped, invalidated, expired, or the last bar). Bullish zones green, bearish red; traded zones stronger.
 */
import type { IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesApi, ISeriesPrimitive, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';
import type { Zone } from '$lib/engine/zones-types';
import { toChartTime } from '$lib/state/chart-data';

type CanvasRenderingTarget2D = Parameters<IPrimitivePaneRenderer['draw']>[0];

/** A zone in chart coordinates' input form: times in seconds (chart time), prices in quote currency. */
interface Box {
	from: number;
	to: number;
	bottom: number;
	top: number;
	bullish: boolean;
	traded: boolean;
}

/** Zones that were active at some point (kept, not duplicates, confirmed once ATR14 exists), as boxes. */
export function zoneBoxes(zones: readonly Zone[], openTime: ArrayLike<number>): Box[] {
	const out: Box[] = [];
	for (const z of zones) {
		if (z.endBar < 0) continue;
		out.push({
			from: toChartTime(openTime[z.c]),
			to: toChartTime(openTime[Math.min(z.endBar, openTime.length - 1)]),
			bottom: z.bottom,
			top: z.top,
			bullish: z.direction === 'bullish',
			traded: z.end === 'traded'
		});
	}
	return out;
}

class ZoneRenderer implements IPrimitivePaneRenderer {
	constructor(private readonly source: ZonePrimitive) {}
	draw(target: CanvasRenderingTarget2D): void {
		const p = this.source;
		const chart = p.chart;
		const series = p.series;
		if (!chart || !series) return;
		const ts = chart.timeScale();
		target.useBitmapCoordinateSpace((scope) => {
			const ctx = scope.context;
			const hr = scope.horizontalPixelRatio;
			const vr = scope.verticalPixelRatio;
			const range = ts.getVisibleRange();
			for (const b of p.boxes) {
				if (range && (b.to < (range.from as number) || b.from > (range.to as number))) continue;
				const x1 = ts.timeToCoordinate(b.from as Time);
				const x2 = ts.timeToCoordinate(b.to as Time);
				const y1 = series.priceToCoordinate(b.top);
				const y2 = series.priceToCoordinate(b.bottom);
				if (x1 === null || x2 === null || y1 === null || y2 === null) continue;
				const x = Math.round(x1 * hr);
				const w = Math.max(1, Math.round((x2 - x1) * hr));
				const y = Math.round(y1 * vr);
				const h = Math.max(1, Math.round((y2 - y1) * vr));
				ctx.fillStyle = b.bullish ? (b.traded ? 'rgba(46,189,133,0.32)' : 'rgba(46,189,133,0.16)') : b.traded ? 'rgba(246,70,93,0.32)' : 'rgba(246,70,93,0.16)';
				ctx.fillRect(x, y, w, h);
			}
		});
	}
}

class ZonePaneView implements IPrimitivePaneView {
	private readonly r: ZoneRenderer;
	constructor(source: ZonePrimitive) {
		this.r = new ZoneRenderer(source);
	}
	zOrder(): 'bottom' {
		return 'bottom';
	}
	renderer(): IPrimitivePaneRenderer {
		return this.r;
	}
}

/** Attach with `series.attachPrimitive(new ZonePrimitive(zoneBoxes(zones, openTime)))`. */
export class ZonePrimitive implements ISeriesPrimitive<Time> {
	chart: SeriesAttachedParameter<Time>['chart'] | null = null;
	series: ISeriesApi<SeriesType, Time> | null = null;
	private readonly views: ZonePaneView[];
	constructor(readonly boxes: Box[]) {
		this.views = [new ZonePaneView(this)];
	}
	attached(p: SeriesAttachedParameter<Time>): void {
		this.chart = p.chart;
		this.series = p.series;
	}
	detached(): void {
		this.chart = null;
		this.series = null;
	}
	paneViews(): readonly IPrimitivePaneView[] {
		return this.views;
	}
}
