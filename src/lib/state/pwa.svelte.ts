/**
 * Installed-app state: the browser's online/offline flag and the service worker's update cycle
 * (registration, a new version waiting, activating it and reloading). Construction is SSR-safe;
 * {@link PwaState.start} runs in the browser (onMount).
 */

/** What {@link PwaState.start} needs. */
export interface PwaStartOptions {
	/** SvelteKit `base` (from `$app/paths`): the worker is `${base}/service-worker.js`, its scope `${base}/`. */
	base: string;
	/** Register the service worker (false in `vite dev`, where caching would get in the way). */
	register: boolean;
	/** Ask the server for a new worker this often (ms; default one hour; 0 = only on navigation and when back online). */
	checkEveryMs?: number;
}

/** Message a page posts to a waiting worker to make it activate (handled in src/service-worker.ts). */
export const SKIP_WAITING_MESSAGE = { type: 'SKIP_WAITING' } as const;

/** Online flag and service-worker update cycle; see the module comment. */
export class PwaState {
	/** `navigator.onLine`: false when the device has no network at all (it cannot tell a dead Wi-Fi from a live one). */
	online = $state(true);
	/** A new version is installed and waiting (or another tab activated it): offer to reload. */
	updateReady = $state(false);
	/** The user clicked Reload: the new worker is activating. */
	updating = $state(false);
	/** A service worker controls this page (its navigations and files come from the offline cache). */
	controlled = $state(false);
	/** Why the worker could not be registered (unsupported browser, insecure origin, ...). */
	error = $state<string | null>(null);
	#registration: ServiceWorkerRegistration | null = null;
	#reloadRequested = false;

	/** The worker registration (null before {@link start} has registered it, or when unsupported). */
	get registration(): ServiceWorkerRegistration | null {
		return this.#registration;
	}

	/**
	 * Start listening to online/offline events and register the service worker.
	 * @param options - see {@link PwaStartOptions}.
	 * @returns a function that removes every listener (call it on destroy).
	 */
	start(options: PwaStartOptions): () => void {
		const cleanups: (() => void)[] = [];
		const listen = (target: EventTarget, type: string, fn: (e: Event) => void): void => {
			target.addEventListener(type, fn);
			cleanups.push(() => target.removeEventListener(type, fn));
		};
		this.online = navigator.onLine;
		listen(window, 'online', () => {
			this.online = true;
			void this.checkForUpdate();
		});
		listen(window, 'offline', () => (this.online = false));

		const container = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
		if (options.register && container) {
			const hadController = !!container.controller;
			this.controlled = hadController;
			listen(container, 'controllerchange', () => {
				this.controlled = !!container.controller;
				if (this.#reloadRequested) location.reload();
				// Another tab activated a new version: this page's lazily loaded files may be gone; offer a reload.
				else if (hadController) this.updateReady = true;
			});
			void this.#register(container, options.base, listen);
			const every = options.checkEveryMs ?? 3_600_000;
			if (every > 0) {
				const timer = setInterval(() => void this.checkForUpdate(), every);
				cleanups.push(() => clearInterval(timer));
			}
		}
		return () => cleanups.forEach((c) => c());
	}

	async #register(
		container: ServiceWorkerContainer,
		base: string,
		listen: (target: EventTarget, type: string, fn: (e: Event) => void) => void
	): Promise<void> {
		let reg: ServiceWorkerRegistration;
		try {
			reg = await container.register(`${base}/service-worker.js`, { scope: `${base}/` });
		} catch (e) {
			this.error = `Offline mode is unavailable: the service worker could not be registered (${e instanceof Error ? e.message : String(e)}).`;
			return;
		}
		this.#registration = reg;
		// A worker that was already waiting when the page opened.
		if (reg.waiting && container.controller) this.updateReady = true;
		listen(reg, 'updatefound', () => {
			const worker = reg.installing;
			if (!worker) return;
			worker.addEventListener('statechange', () => {
				// Installed while an older worker controls the page: a new version waits for the user.
				if (worker.state === 'installed' && container.controller) this.updateReady = true;
			});
		});
	}

	/** Ask the server whether the service worker changed (the browser also checks on every navigation). */
	async checkForUpdate(): Promise<void> {
		try {
			await this.#registration?.update();
		} catch {
			// Offline or the server is down: the next check will tell.
		}
	}

	/** Activate the waiting version and reload the page once it controls it (or just reload if it already does). */
	applyUpdate(): void {
		const waiting = this.#registration?.waiting;
		this.updating = true;
		if (!waiting) {
			location.reload();
			return;
		}
		this.#reloadRequested = true;
		waiting.postMessage(SKIP_WAITING_MESSAGE);
	}
}
