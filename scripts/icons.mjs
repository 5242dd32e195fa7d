/**
 * Render the PWA icons from static/favicon.svg with Chromium (run once; the PNGs are committed):
 *   node scripts/icons.mjs
 * Writes static/icons/icon-192.png and icon-512.png (purpose "any": the rounded favicon on a
 * transparent background), maskable-512.png (purpose "maskable": full-bleed background, the
 * mark inside the central 80 % safe zone) and apple-touch-icon.png (180 px, opaque, iOS rounds it).
 * CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('static/favicon.svg', 'utf8');
const BG = '#0f1319'; // --bg in src/app.css, the favicon's own background
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

/** [file, size px, mark size as a fraction of the icon, opaque background?] */
const ICONS = [
	['static/icons/icon-192.png', 192, 1, false],
	['static/icons/icon-512.png', 512, 1, false],
	// Maskable: launchers may crop to a circle of diameter 80 % of the icon. The favicon's square has
	// the same colour as the background, so only its drawing must fit: its farthest point is 16.3/32
	// of the favicon's width from the centre, so at 72 % it reaches 0.37 of the icon (< 0.40).
	['static/icons/maskable-512.png', 512, 0.72, true],
	['static/icons/apple-touch-icon.png', 180, 0.86, true]
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
	for (const [file, size, fraction, opaque] of ICONS) {
		const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
		const mark = Math.round(size * fraction);
		await page.setContent(
			`<html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${opaque ? BG : 'transparent'}">` +
				`<img src="${dataUrl}" width="${mark}" height="${mark}" style="display:block"></body></html>`
		);
		await page.locator('img').evaluate((img) => img.decode());
		await page.screenshot({ path: file, omitBackground: !opaque, clip: { x: 0, y: 0, width: size, height: size } });
		await page.close();
		console.log(`${file}: ${size}x${size}`);
	}
} finally {
	await browser.close();
}
