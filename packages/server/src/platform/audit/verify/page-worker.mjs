// Worker threads do not inherit the parent's TypeScript loader: install tsx here,
// then load the worker itself (see page-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./page-worker.ts');
