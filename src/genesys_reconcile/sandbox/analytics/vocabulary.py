"""What the platform's analytics queries accept, as data: each set is an enum of the official
SDK's models (`purecloudplatformclientv2` v269), copied here because the sandbox must refuse
what the platform refuses, and a test holds each set equal to the SDK's so they cannot drift.

The sandbox simulates only part of this vocabulary (`predicates.METRICS`, `DIMENSIONS`); a name
the platform knows but the sandbox does not simulate is accepted and answers nothing.
"""

from __future__ import annotations

# fmt: off
# Metrics an aggregates query may name (in `metrics` and as a view's `target`).
# SDK: ConversationAggregationView.target
AGGREGATE_METRICS: frozenset[str] = frozenset(
    {
        "nAgentDeclined", "nAlertExpired", "nBlindTransferred", "nBotInteractions",
        "nCallbackAttempts", "nCallbackOverSla", "nCallbackScheduled", "nCfcOffered",
        "nCobrowseSessions", "nConnected", "nConsult", "nConsultTransferred", "nConversations",
        "nError", "nOffered", "nOutbound", "nOutboundAbandoned", "nOutboundAttempted",
        "nOutboundConnected", "nOverSla", "nStateTransitionError", "nTakeover", "nTransferred",
        "oAudioMessageCount", "oCallbackServiceLevel", "oExternalAudioMessageCount",
        "oExternalMediaCount", "oMediaCount", "oMessageCount", "oMessageSegmentCount",
        "oMessageTurn", "oServiceLevel", "oServiceTarget", "oSkillExpressionApplications",
        "tAbandon", "tAcd", "tActiveCallback", "tActiveCallbackComplete", "tAcw",
        "tAgentResponseTime", "tAgentVideoConnected", "tAlert", "tAnswered",
        "tAverageAgentResponseTime", "tAverageCustomerResponseTime", "tBarging", "tCallbackAbandon",
        "tCallbackConnect", "tCallbackNotReached", "tCallbackVirtualWait", "tCfcAbandon", "tCfcAcd",
        "tCfcAnswered", "tCfcFlowOut", "tCoaching", "tCoachingComplete", "tConnected",
        "tContacting", "tDialing", "tFirstConnect", "tFirstDial", "tFirstEngagement",
        "tFirstResponse", "tFlowOut", "tHandle", "tHeld", "tHeldComplete", "tIvr", "tMonitoring",
        "tMonitoringComplete", "tNotResponding", "tPark", "tParkComplete", "tScreenMonitoring",
        "tShortAbandon", "tSnippetRecord", "tTalk", "tTalkComplete", "tTransmitting",
        "tUserResponseTime", "tVoicemail", "tWait"
    }
)

# Dimensions an aggregates query may group by and filter on.
# SDK: ConversationAggregateQueryPredicate.dimension
AGGREGATE_DIMENSIONS: frozenset[str] = frozenset(
    {
        "activeRouting", "activeSkillId", "addressFrom", "addressTo", "agentAssistantId",
        "agentBullseyeRing", "agentOwned", "agentRank", "agentScore", "ani", "assignerId",
        "authenticated", "canonicalExternalContactId", "conversationId", "conversationInitiator",
        "convertedFrom", "convertedTo", "customerParticipation", "deliveryStatus",
        "destinationAddress", "direction", "disconnectType", "divisionId", "dnis", "edgeId",
        "eligibleAgentCount", "errorCode", "extendedDeliveryStatus", "externalContactId",
        "externalMediaCount", "externalOrganizationId", "externalTag", "firstQueue",
        "flaggedReason", "flowInType", "flowOutType", "groupId", "interactionType",
        "journeyActionId", "journeyActionMapId", "journeyActionMapVersion", "journeyCustomerId",
        "journeyCustomerIdType", "journeyCustomerSessionId", "journeyCustomerSessionIdType",
        "knowledgeBaseId", "mediaCount", "mediaType", "messageType", "originatingDirection",
        "originatingSocialMediaPublic", "outboundCampaignId", "outboundContactId",
        "outboundContactListId", "participantName", "peerId", "proposedAgentId", "provider",
        "purpose", "queueId", "remote", "removedSkillId", "requestedLanguageId", "requestedRouting",
        "requestedRoutingSkillId", "roomId", "routingPriority", "routingRing", "routingRule",
        "routingRuleType", "scoredAgentId", "selectedAgentId", "selectedAgentRank", "selfServed",
        "sessionDnis", "sessionId", "skillExpressionId", "stationId", "teamId", "usedRouting",
        "userId", "videoPresent", "waitingInteractionCount", "wrapUpCode"
    }
)

# SDK: ConversationAggregateQueryPredicate.type
PREDICATE_TYPES: frozenset[str] = frozenset(
    {
        "dimension", "property", "metric"
    }
)

# SDK: ConversationAggregateQueryPredicate.operator
OPERATORS: frozenset[str] = frozenset(
    {
        "matches", "exists", "notExists"
    }
)

# SDK: ConversationAggregationView.function
VIEW_FUNCTIONS: frozenset[str] = frozenset(
    {
        "rangeBound"
    }
)

# Dimensions of a details query's `conversationFilters`: `mediaType` is not one.
# SDK: ConversationDetailQueryPredicate.dimension
CONVERSATION_DIMENSIONS: frozenset[str] = frozenset(
    {
        "accessAttribute", "conversationEnd", "conversationId", "conversationInitiator",
        "conversationStart", "customerParticipation", "divisionId", "externalTag",
        "mediaStatsMinConversationMos", "originatingDirection", "originatingSocialMediaPublic"
    }
)

# Metrics of a details query's `conversationFilters`: `tWait` is not one.
# SDK: ConversationDetailQueryPredicate.metric
CONVERSATION_METRICS: frozenset[str] = frozenset(
    {
        "nAgentDeclined", "nAlertExpired", "nBlindTransferred", "nBotInteractions",
        "nCallbackAttempts", "nCallbackOverSla", "nCallbackScheduled", "nCfcOffered",
        "nCobrowseSessions", "nConnected", "nConsult", "nConsultTransferred", "nConversations",
        "nError", "nFlow", "nFlowMilestone", "nFlowOutcome", "nFlowOutcomeFailed", "nOffered",
        "nOutbound", "nOutboundAbandoned", "nOutboundAttempted", "nOutboundConnected", "nOverSla",
        "nStateTransitionError", "nTakeover", "nTransferred", "oAudioMessageCount",
        "oExternalAudioMessageCount", "oExternalMediaCount", "oFlowMilestone", "oMediaCount",
        "oMessageCount", "oMessageSegmentCount", "oMessageTurn", "oSkillExpressionApplications",
        "tAbandon", "tAcd", "tActiveCallback", "tActiveCallbackComplete", "tAcw",
        "tAgentResponseTime", "tAgentVideoConnected", "tAlert", "tAnswered",
        "tAverageAgentResponseTime", "tAverageCustomerResponseTime", "tBarging", "tCallbackAbandon",
        "tCallbackConnect", "tCallbackNotReached", "tCallbackVirtualWait", "tCfcAbandon", "tCfcAcd",
        "tCfcAnswered", "tCfcFlowOut", "tCoaching", "tCoachingComplete", "tConnected",
        "tContacting", "tConversationDuration", "tDialing", "tFirstConnect", "tFirstDial",
        "tFirstEngagement", "tFirstResponse", "tFlow", "tFlowDisconnect", "tFlowExit", "tFlowOut",
        "tFlowOutcome", "tHandle", "tHeld", "tHeldComplete", "tIvr", "tMonitoring",
        "tMonitoringComplete", "tNotResponding", "tPark", "tParkComplete", "tScreenMonitoring",
        "tShortAbandon", "tSnippetRecord", "tTalk", "tTalkComplete", "tTransmitting",
        "tUserResponseTime", "tVoicemail"
    }
)

# Dimensions of a details query's `segmentFilters`.
# SDK: SegmentDetailQueryPredicate.dimension
SEGMENT_DIMENSIONS: frozenset[str] = frozenset(
    {
        "addressFrom", "addressTo", "agentAssistantId", "agentOwned", "ani", "authenticated",
        "bargedParticipantId", "callbackNumber", "callbackScheduledTime",
        "canonicalExternalContactId", "cleared", "coachedParticipantId", "conference",
        "deliveryPushed", "deliveryStatus", "destinationAddress", "destinationConversationId",
        "detectedSpeechEnd", "detectedSpeechStart", "direction", "disconnectType", "dnis", "edgeId",
        "engagementSource", "errorCode", "exitReason", "extendedDeliveryStatus",
        "externalContactId", "externalOrganizationId", "flaggedReason", "flowId", "flowName",
        "flowOutType", "flowOutcome", "flowOutcomeId", "flowOutcomeValue", "flowVersion", "groupId",
        "journeyActionId", "journeyActionMapId", "journeyCustomerId", "journeyCustomerIdType",
        "journeyCustomerSessionId", "mediaCount", "mediaType", "messageType",
        "monitoredParticipantId", "outboundCampaignId", "outboundContactId",
        "outboundContactListId", "participantName", "protocolCallId", "provider", "purpose",
        "queueId", "recording", "remote", "remoteNameDisplayable", "requestedLanguageId",
        "requestedRouting", "requestedRoutingSkillId", "scoredAgentId", "screenMonitoredUserId",
        "screenRecording", "scriptId", "segmentEnd", "segmentType", "sessionDnis",
        "sipResponseCode", "skillExpressionId", "snippetRecording", "subject", "teamId",
        "transferTargetAddress", "transferTargetName", "transferType", "usedRouting", "userId",
        "wrapUpCode", "wrapUpNote"
    }
)

# SDK: SegmentDetailQueryPredicate.metric
SEGMENT_METRICS: frozenset[str] = frozenset(
    {
        "tSegmentDuration"
    }
)

# SDK: ConversationQuery.order
ORDERS: frozenset[str] = frozenset(
    {
        "asc", "desc", "unordered"
    }
)

# SDK: ConversationQuery.order_by
ORDER_BY: frozenset[str] = frozenset(
    {
        "conversationStart", "conversationEnd", "segmentStart", "segmentEnd"
    }
)

# fmt: on
