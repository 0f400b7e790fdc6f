/// <reference types="vite/client" />
/**
 * The web app's entry: the shell, plus every page element that exists. The pages
 * are built in their own folders; globbing them here (eagerly: they are the app)
 * registers each one as soon as its file lands, and the shell names them by tag.
 */
import './app/ss-app.ts'
import { registerServiceWorker } from './offline/register-service-worker.ts'
import { adoptTheme } from './theme.ts'

adoptTheme(document)

if (!import.meta.env.DEV) registerServiceWorker()

import.meta.glob(
  [
    './worklist/ss-*.ts',
    './forms/ss-*.ts',
    './desktop/ss-*.ts',
    './presence-ui/ss-*.ts',
    './admin/ss-*.ts',
  ],
  { eager: true },
)
