// Initiates replica set rs0 of mongo-1..3 once, then waits for a primary.
// Run by the compose one-shot `mongo-init` (mongosh --file); idempotent.
const members = [
  { _id: 0, host: "mongo-1:27017", priority: 2 },
  { _id: 1, host: "mongo-2:27017", priority: 1 },
  { _id: 2, host: "mongo-3:27017", priority: 1 },
];
let initiated = true;
try {
  rs.status();
} catch (e) {
  if (e.codeName !== "NotYetInitialized") throw e;
  initiated = false;
}
if (!initiated) {
  rs.initiate({ _id: "rs0", members: members });
  print("replica set rs0 initiated");
}
for (let i = 0; i < 120; i++) {
  if (db.hello().isWritablePrimary || rs.status().members.some((m) => m.stateStr === "PRIMARY")) {
    print("replica set rs0 has a primary");
    quit(0);
  }
  sleep(1000);
}
print("no primary after 120 s");
quit(1);
