import { storeContract } from '../../test/support/store-contract.ts';
import { createMemoryStore } from './memory-store.ts';

storeContract('MemoryStore', async () => createMemoryStore());
