import { storeContract } from './store.contract.ts';
import { openPgliteTestStore } from '../support/backends.ts';

storeContract('embedded (PGlite)', { open: openPgliteTestStore });
