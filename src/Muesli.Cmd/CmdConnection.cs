using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Muesli.Actors.Operations;
using Muesli.Actors.Serialization;

namespace Muesli.Cmd;

/// <summary>
/// A small actor system of its own (remoting on a free port, no cluster) with a cluster client to the nodes'
/// receptionists: every request goes to the handler registered at <see cref="CmdProtocol.ServicePath"/> on some node.
/// </summary>
public sealed class CmdConnection : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _client;
    private bool _answered;

    private CmdConnection(ActorSystem system, IActorRef client)
    {
        _system = system;
        _client = client;
    }

    public static CmdConnection Start(IReadOnlyList<(string Host, int Port)> contacts, string systemName, bool verbose)
    {
        var level = verbose ? "DEBUG" : "OFF";
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "{{LocalAddressTowards(contacts[0])}}", port = 0 }
            akka.remote.log-remote-lifecycle-events = off
            akka.loglevel = {{level}}
            akka.stdout-loglevel = {{level}}
            akka.log-dead-letters = off
            akka.actor {
              serializers.muesli-messages = "{{typeof(MuesliMessageSerializer).FullName}}, {{typeof(MuesliMessageSerializer).Assembly.GetName().Name}}"
              serialization-bindings { "{{typeof(IMuesliMessage).FullName}}, {{typeof(IMuesliMessage).Assembly.GetName().Name}}" = muesli-messages }
              serialization-identifiers { "{{typeof(MuesliMessageSerializer).FullName}}, {{typeof(MuesliMessageSerializer).Assembly.GetName().Name}}" = {{MuesliMessageSerializer.Id}} }
            }
            """)
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            // The cluster client wraps each request in the pub-sub's Send: its serializer must be bound here too.
            .WithFallback(DistributedPubSub.DefaultConfig());
        var system = ActorSystem.Create(CmdProtocol.ConsoleSystemName, config);
        var paths = contacts.Select(c => ActorPath.Parse($"akka.tcp://{systemName}@{c.Host}:{c.Port}/system/receptionist")).ToImmutableHashSet();
        var client = system.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(system).WithInitialContacts(paths)), "client");
        return new CmdConnection(system, client);
    }

    /// <summary>
    /// A message for the handler on the node whose receptionist the client talks to. Without local affinity the
    /// receptionist would pick any node's handler, an unreachable member's too: the command would be lost just when an
    /// operator needs the console.
    /// </summary>
    private static ClusterClient.Send ToReceptionistsNode(object message) => new(CmdProtocol.ServicePath, message, localAffinity: true);

    /// <summary>The answering node's address, or null when none answered within <paramref name="limit"/>.</summary>
    public async Task<string?> PingAsync(TimeSpan limit)
    {
        try
        {
            var node = (await _client.Ask<CmdPong>(ToReceptionistsNode(new CmdPing()), limit)).Node;
            _answered = true;
            return node;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The reply, or null when none came within <paramref name="limit"/>.</summary>
    public async Task<CmdReply?> SendAsync(CmdRequest request, TimeSpan limit)
    {
        try
        {
            return await _client.Ask<CmdReply>(ToReceptionistsNode(request), limit);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A node that answered is told goodbye (it logs no lost association); one that never answered must not hold the exit up.
        await Task.WhenAny(_system.Terminate(), Task.Delay(TimeSpan.FromSeconds(_answered ? 3 : 0.5)));
    }

    /// <summary>The address of this machine on the route to the contact (the nodes send their replies there).</summary>
    private static string LocalAddressTowards((string Host, int Port) contact)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(contact.Host, contact.Port);
            return ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
        }
        catch (SocketException)
        {
            return "127.0.0.1";
        }
    }
}
