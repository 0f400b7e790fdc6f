/** The live-feed types live in shared/ (the web app reads them too). */
export * from '../../shared/events.ts'
