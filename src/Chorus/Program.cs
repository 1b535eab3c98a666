using Chorus;
using Chorus.Features.Cli;

// One executable: with a command it is Chorus's command line, without one it serves.
if (ChorusCli.IsCommand(args)) return await ChorusCli.RunAsync(args);

var app = ChorusApp.Build(args);
await ChorusApp.PrepareAsync(app);
await app.RunAsync();
return 0;

public partial class Program;
