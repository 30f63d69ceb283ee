import { describeStoreContract } from "./store-contract.ts";
import { MemoryStore } from "./memory-store.ts";

describeStoreContract("MemoryStore", () => new MemoryStore());
