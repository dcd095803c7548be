// PostGraphile 5 over the bench core-banking database, one process per worker (node:cluster),
// so that it gets the same number of cores as c360's uvicorn workers.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const workers = Number(process.env.BENCH_WORKERS || "2");
const port = Number(process.env.BENCH_PORT || "15678");

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`postgraphile worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
    grafserv: { graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.once("listening", () => console.log(`postgraphile worker ${process.pid} listening on ${port}`));
  serv.addTo(server).then(() => server.listen(port, "127.0.0.1"));
}
